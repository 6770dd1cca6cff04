/**
 * The JavaScript that runs inside QuickJS around the admin's scripts: it builds `entry` objects
 * from a packed batch string, calls one script over the whole batch ("a pass") and packs the
 * results into one string. Host and driver share one Int32Array cell in WebAssembly memory: the
 * driver writes the index of the entry being evaluated there, and the host's interrupt handler
 * reads it without calling into the sandbox (so each call gets its own time limit).
 *
 * Wire format (host -> driver), fields joined by U+0001:
 *   fixed attributes:   dn, field(attr 1), ..., field(attr k)            per entry
 *   dynamic attributes: dn, m, name 1, field 1, ..., name m, field m      per entry
 * A field is '' when absent, U+0003 for one empty value, else the values joined by U+0002.
 * Batches whose values contain U+0000-U+0003 are sent as a JSON array instead, with each field
 * an array of strings (or null).
 * Results (driver -> host), one field per entry joined by U+0001: Active '1' / '0'; Org name ''
 * (none) or the name; Role name '' or the names joined by U+0002; U+0004 = error (details in
 * extras()), U+0005 = skipped.
 */

import { HARDENING_SOURCE } from './hardening-source';

/** Separators shared by the host packer and the driver. */
export const WIRE = { field: '\u0001', value: '\u0002', empty: '\u0003', error: '\u0004', skip: '\u0005' } as const;

/** Source of a sloppy-mode function that gives a script's top level its own scope (direct eval). */
export const PROGRAM_WRAPPER_SOURCE = '(function (src) { return eval(src); })';

/** Source of the driver factory: `(cellBuffer) => driver`. It also installs `console` and freezes every intrinsic. */
export const DRIVER_SOURCE = String.raw`(function (cellBuffer) {
'use strict';
const cell = new Int32Array(cellBuffer);
const create = Object.create, freeze = Object.freeze, defineProperty = Object.defineProperty;
const isArray = Array.isArray, stringify = JSON.stringify, parse = JSON.parse;
const ownKeys = Reflect.ownKeys, getDescriptor = Reflect.getOwnPropertyDescriptor, getProto = Reflect.getPrototypeOf;
const InternalErrorCtor = InternalError, ErrorCtor = Error, RangeErrorCtor = RangeError, PromiseCtor = Promise, ProxyCtor = Proxy;
const FIELD = '\u0001', VALUE = '\u0002', EMPTY = '\u0003', ERR = '\u0004', SKIP = '\u0005';
const CONTROL = /[\u0000-\u001f\u007f]/;
const BATCH = Symbol('batch'), BASE = Symbol('base');
const LABELS = ['Active', 'Org name', 'Role name'];

let index = create(null), dynamic = false, capture = false, logBudget = 0, logLimit = 0, fixedLoader = null;
let entries = [], count = 0, acc = [], passFrom = 0, current = -1;
const fns = [null, null, null];
let errors = [], logs = [];
/** Per batch: returned name -> trimmed, checked name; string -> lower case. */
let nameCache = create(null), lowerCache = create(null), lowerCount = 0;

function lower(s) {
  if (typeof s !== 'string') s = String(s);
  let l = lowerCache[s];
  if (l === undefined) {
    l = s.toLowerCase();
    if (lowerCount++ < 10000) lowerCache[s] = l;
  }
  return l;
}
function clip(s, n) { return s.length > n ? s.slice(0, n) + '\u2026' : s; }

/** The raw field of attribute "name" for an entry, or undefined. */
function fieldOf(self, name) {
  const b = self[BATCH], base = self[BASE];
  if (b === undefined || base === undefined) return undefined;
  let pos = b.idx[name];
  if (pos === undefined) { pos = b.idx[lower(name)]; if (pos === undefined) return undefined; }
  return b.p[base + pos];
}

const proto = create(Object.prototype);
defineProperty(proto, 'all', { value: function all(name) {
  const f = fieldOf(this, name);
  if (typeof f === 'string') return f === '' ? [] : f === EMPTY ? [''] : f.split(VALUE);
  return f === undefined || f === null ? [] : f.slice();
} });
defineProperty(proto, 'has', { value: function has(name, value) {
  const f = fieldOf(this, name);
  if (f === undefined || f === null || f === '' || f.length === 0) return false;
  if (value === undefined) return true;
  if (typeof value !== 'string') value = String(value);
  const want = lower(value);
  if (typeof f === 'string') {
    if (f.indexOf(VALUE) < 0) return f === EMPTY ? want === '' : f === value || lower(f) === want;
    const vs = f.split(VALUE);
    for (let i = 0; i < vs.length; i++) if (vs[i] === value || lower(vs[i]) === want) return true;
    return false;
  }
  for (let i = 0; i < f.length; i++) if (f[i] === value || lower(f[i]) === want) return true;
  return false;
} });

const handler = {
  get(t, k) {
    if (typeof k === 'string' && !(k in t)) { const real = t[BATCH].own[lower(k)]; if (real !== undefined) return t[real]; }
    return t[k];
  },
  has(t, k) { return k in t || (typeof k === 'string' && t[BATCH].own[lower(k)] !== undefined); },
};

function describe(v) {
  if (v === null) return 'null';
  const t = typeof v;
  if (t === 'undefined') return 'undefined';
  if (t === 'string') return 'a string (' + stringify(clip(v, 40)) + ')';
  if (t === 'number' || t === 'boolean' || t === 'bigint') return 'a ' + t + ' (' + String(v) + ')';
  if (t === 'symbol' || t === 'function') return 'a ' + t;
  if (isArray(v)) return 'an array';
  if (v instanceof PromiseCtor) return 'a Promise (scripts must not be async)';
  return 'an object';
}

function fmt(v) {
  try {
    if (typeof v === 'string') return clip(v, 1000);
    if (typeof v !== 'object' || v === null) return typeof v === 'function' ? '[function]' : String(v);
    if (v instanceof ErrorCtor) return String(v.name) + ': ' + String(v.message);
    const s = stringify(v, (k, x) => typeof x === 'bigint' ? String(x) : x);
    return s === undefined ? String(v) : clip(s, 1000);
  } catch (e) { return '[unprintable value]'; }
}

function emit(args) {
  if (!capture) return;
  if (logBudget <= 0) {
    if (logBudget === 0) logs.push([cell[0], current, '\u2026 further console output dropped (limit: ' + logLimit + ' lines per evaluation)']);
    logBudget = -1;
    return;
  }
  logBudget--;
  let text = '';
  for (let k = 0; k < args.length; k++) text += (k ? ' ' : '') + fmt(args[k]);
  logs.push([cell[0], current, clip(text, 1000)]);
}
const consoleObject = {};
for (const method of ['log', 'info', 'warn', 'error', 'debug']) consoleObject[method] = function () { emit(arguments); };
defineProperty(globalThis, 'console', { value: consoleObject, writable: false, enumerable: false, configurable: false });

function err(i, s, code, message, stack) { errors.push([i, s, code, clip(message, 500), stack === undefined ? '' : clip(stack, 2000)]); }

/**
 * Errors after which the pass stops and the host decides: 1 out of memory, 2 interrupted (the host
 * knows which limit), 3 null thrown (what QuickJS throws when it cannot even allocate the error);
 * 0 for ordinary exceptions.
 */
function limitKind(e) {
  if (e === null) return 3;
  if (e instanceof InternalErrorCtor) return e.message === 'interrupted' ? 2 : e.message === 'out of memory' || e.message === 'string too long' ? 1 : 0;
  return e instanceof RangeErrorCtor && e.message === 'invalid string length' ? 1 : 0;
}

function recordThrow(i, s, e) {
  let message = 'an exception that cannot be shown', stack = '', code = 'SCRIPT_THROWN';
  try {
    if (e instanceof ErrorCtor) {
      message = String(e.name) + ': ' + String(e.message);
      stack = typeof e.stack === 'string' ? e.stack : '';
      if (e instanceof InternalErrorCtor && e.message === 'stack overflow') code = 'SCRIPT_STACK';
    } else message = 'threw ' + (typeof e === 'string' ? stringify(clip(e, 200)) : describe(e));
  } catch (_) { /* keep the generic message */ }
  err(i, s, code, message, stack);
}

/** Trims and checks a returned name (cached per batch: names repeat); ERR when it has a control character. */
function checkName(i, s, r) {
  const hit = nameCache[r];
  if (hit !== undefined) return hit;
  const t = r.trim();
  if (CONTROL.test(t)) { err(i, s, 'SCRIPT_RETURN_TYPE', LABELS[s] + ' script returned a name with a control character (' + stringify(clip(t, 40)) + '); names must be plain text'); return ERR; }
  nameCache[r] = t;
  return t;
}

function activeOut(i, r) {
  if (r === true) return '1';
  if (r === false) return '0';
  err(i, 0, 'SCRIPT_RETURN_TYPE', 'Active script returned ' + describe(r) + '; return true or false');
  return ERR;
}

function orgOut(i, r) {
  if (r === null || r === undefined) return '';
  if (typeof r === 'string') return checkName(i, 1, r);
  err(i, 1, 'SCRIPT_RETURN_TYPE', 'Org name script returned ' + describe(r) + '; return a string, or null for no organization');
  return ERR;
}

function roleOut(i, r) {
  if (r === null || r === undefined) return '';
  if (typeof r === 'string') return checkName(i, 2, r);
  if (isArray(r)) {
    let out = '';
    for (let k = 0; k < r.length; k++) {
      const x = r[k];
      if (typeof x !== 'string') { err(i, 2, 'SCRIPT_RETURN_TYPE', 'Role name script returned an array holding ' + describe(x) + ' at index ' + k + '; return a string or an array of strings'); return ERR; }
      const t = checkName(i, 2, x);
      if (t === ERR) return ERR;
      if (t !== '') out = out === '' ? t : out + VALUE + t;
    }
    return out;
  }
  err(i, 2, 'SCRIPT_RETURN_TYPE', 'Role name script returned ' + describe(r) + '; return a string, an array of strings, or null for no role');
  return ERR;
}

function loadDynamic(p, n) {
  const out = new Array(n);
  for (let e = 0, j = 0; e < n; e++) {
    const t = create(proto), idx = create(null), own = create(null), m = +p[j + 1];
    t.dn = p[j];
    for (let q = 0; q < m; q++) {
      const key = p[j + 2 + 2 * q], f = p[j + 3 + 2 * q], l = lower(key);
      idx[l] = 3 + 2 * q;
      own[l] = key;
      let v;
      if (typeof f === 'string') { if (f === '') continue; if (f === EMPTY) v = ''; else { const x = f.indexOf(VALUE); v = x < 0 ? f : f.slice(0, x); } }
      else { if (f === null || f.length === 0) continue; v = f[0]; }
      t[key] = v;
    }
    t[BATCH] = { p: p, idx: idx, own: own };
    t[BASE] = j;
    out[e] = new ProxyCtor(t, handler);
    j += 2 + 2 * m;
  }
  return out;
}

const driver = {
  configure(json) {
    const c = parse(json);
    dynamic = c.dynamic; capture = c.capture; logLimit = c.logLimit; logBudget = c.logLimit; maxLength = c.maxLength;
    index = create(null);
    for (const key in c.index) index[key] = c.index[key];
    errors = []; logs = []; entries = []; count = 0;
  },
  setLoader(factory) { fixedLoader = factory(create, EMPTY, VALUE, BASE); },
  setFn(s, fn) {
    fns[s] = fn;
    if (fn !== null) { try { freeze(fn); if (typeof fn.prototype === 'object' && fn.prototype !== null) freeze(fn.prototype); } catch (_) { /* a Proxy may refuse */ } }
  },
  /** multi: some field of the batch holds several values (false lets the fixed loader skip looking for VALUE). */
  load(text, n, json, multi) {
    const p = json ? parse(text) : text.split(FIELD);
    nameCache = create(null); lowerCache = create(null); lowerCount = 0;
    if (dynamic) entries = loadDynamic(p, n);
    else {
      const batchProto = create(proto);
      batchProto[BATCH] = freeze({ p: p, idx: index });
      entries = fixedLoader(p, n, freeze(batchProto), json, multi);
    }
    count = n;
  },
  /** Runs script s over entries [from, until); a number (see limitKind) when stopped by a limit error it caught. */
  pass(s, from, until, skip) {
    passFrom = from;
    acc = new Array(until - from);
    if (skip) { for (let i = from; i < until; i++) acc[i - from] = SKIP; return acc.join(FIELD); }
    const fn = fns[s];
    current = s;
    for (let i = from; i < until; i++) {
      cell[0] = i;
      let r;
      try { r = fn(entries[i]); } catch (e) {
        const limit = limitKind(e);
        if (limit !== 0) return limit;
        recordThrow(i, s, e);
        acc[i - from] = ERR;
        continue;
      }
      // Active's true / false and an Org name already checked in this batch are handled inline: a
      // call here costs about as much as the script itself (measured: Org name pass -15%).
      if (s === 2) acc[i - from] = roleOut(i, r);
      else if (s === 0) acc[i - from] = r === true ? '1' : r === false ? '0' : activeOut(i, r);
      else {
        const hit = typeof r === 'string' ? nameCache[r] : undefined;
        acc[i - from] = hit !== undefined ? hit : orgOut(i, r);
      }
    }
    cell[0] = -1;
    current = -1;
    return acc.join(FIELD);
  },
  /** After a pass stopped at entry "upTo": the results it had for entries [from, upTo). */
  partial(upTo) { return acc.slice(0, upTo - passFrom).join(FIELD); },
  extras() {
    if (errors.length === 0 && logs.length === 0) return '';
    const s = stringify({ errors: errors, logs: logs });
    errors = []; logs = [];
    return s;
  },
};

${HARDENING_SOURCE}
return freeze(driver);
})`;
