// @ts-check
/**
 * The JavaScript that runs inside QuickJS around the admin's scripts (see driver-source.ts for
 * the wire format). This module is type-checked (tsconfig.node.json: allowJs, and the line
 * above) but never runs in Node: the host takes {@link sandboxDriver}'s source text with
 * Function.prototype.toString() and evaluates it in the sandbox. So the function must stay
 * self-contained: no imports, no reference to anything outside its own body but the
 * ECMAScript globals and QuickJS's InternalError. Bundlers copy it unchanged (no minifier
 * runs on the main or CLI builds); test/unit/scripts-driver-source.test.ts proves that the text
 * entering the sandbox is this function.
 */

/**
 * @typedef {{ p: any[], idx: Record<string, number>, own?: Record<string, string> }} Batch
 * @typedef {(p: any[], n: number, batchProto: object, json: boolean, multi: boolean) => object[]} Loader
 * @typedef {{ load: Loader, props: string[] }} MadeLoader
 */

/**
 * The driver factory: `(cellBuffer) => driver`. It installs `console`, the entry prototype with
 * all() / has() and the guard on reads of attributes that were not fetched, then freezes every
 * intrinsic. The host and the driver share the Int32Array cell in WebAssembly memory: the driver
 * writes the index of the entry being evaluated, the host's interrupt handler reads it.
 * `installHelpers` is sandbox-js/helpers.js's factory (the `ad` and `groups` globals), evaluated
 * in the sandbox the same way and handed in, so that it can read entries' fields.
 * @param {ArrayBuffer} cellBuffer
 * @param {typeof import('./helpers.js').sandboxHelpers} installHelpers
 */
export function sandboxDriver(cellBuffer, installHelpers) {
  'use strict';
  const cell = new Int32Array(cellBuffer);
  const create = Object.create, freeze = Object.freeze, defineProperty = Object.defineProperty;
  const isArray = Array.isArray, stringify = JSON.stringify, parse = JSON.parse;
  const ownKeys = Reflect.ownKeys, getDescriptor = Reflect.getOwnPropertyDescriptor, getProto = Reflect.getPrototypeOf, reflectGet = Reflect.get;
  /** QuickJS's own error type (stack overflow, interrupted, out of memory); not in TypeScript's lib. */
  const InternalErrorCtor = /** @type {ErrorConstructor} */ (/** @type {any} */ (globalThis).InternalError);
  const ErrorCtor = Error, RangeErrorCtor = RangeError, PromiseCtor = Promise, ProxyCtor = Proxy;
  const objectProto = Object.prototype;
  const FIELD = '\u0001', VALUE = '\u0002', EMPTY = '\u0003', ERR = '\u0004', SKIP = '\u0005';
  const CONTROL = /[\u0000-\u001f\u007f]/;
  /** The LDAP attribute description grammar; used-attributes.ts holds the same one (a unit test compares them). */
  const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;
  const BATCH = Symbol('batch'), BASE = Symbol('base');
  const LABELS = ['Active', 'Org name', 'Role name'];

  /** @type {Record<string, number>} */
  let index = create(null);
  let dynamic = false, capture = false, logBudget = 0, logLimit = 0;
  /** @type {Loader | null} */
  let fixedLoader = null;
  /** Fixed plans: the property names entries carry (the fetched attributes, as the scripts spell them). */
  /** @type {Record<string, boolean>} */
  let known = create(null);
  /** @type {any[]} */
  let entries = [];
  /** @type {string[]} */
  let acc = [];
  let count = 0, passFrom = 0, current = -1;
  /** The first read of an attribute that was not fetched during the current call: [name, how it was read]. */
  /** @type {[string, string] | null} */
  let unfetched = null;
  /** @type {Array<Function | null>} */
  const fns = [null, null, null];
  /** @type {Array<[number, number, string, string, string, string]>} */
  let errors = [];
  /** @type {Array<[number, number, string]>} */
  let logs = [];
  /** Per batch: returned name -> trimmed, checked name; string -> lower case. */
  /** @type {Record<string, string>} */
  let nameCache = create(null);
  /** @type {Record<string, string>} */
  let lowerCache = create(null);
  let lowerCount = 0;

  /** @param {unknown} s */
  function lower(s) {
    const str = typeof s === 'string' ? s : String(s);
    let l = lowerCache[str];
    if (l === undefined) {
      l = str.toLowerCase();
      if (lowerCount++ < 10000) lowerCache[str] = l;
    }
    return l;
  }
  /** @param {string} s @param {number} n */
  function clip(s, n) { return s.length > n ? s.slice(0, n) + '\u2026' : s; }

  /**
   * Notes a read of an attribute that was not fetched and stops the call: the pass reports it
   * even when the script catches the error.
   * @param {string} name @param {string} how
   * @returns {never}
   */
  function notFetched(name, how) {
    if (unfetched === null) unfetched = [name, how];
    throw new ErrorCtor('the attribute ' + name + ' was not fetched (read as ' + how + ')');
  }

  /**
   * True when a missing property `k` of an entry is an attribute that was fetched (so absent on
   * this entry: undefined), false when it is no attribute at all; throws for an attribute that
   * was not fetched. A dynamic plan fetched every attribute the directory returns. `asIn`: read
   * by the `in` operator (the message is built only when it is needed).
   * @param {string} k @param {boolean} asIn
   */
  function fetchedAbsent(k, asIn) {
    if (dynamic || known[k] === true) return true;
    if (k === 'then' || k === 'toJSON' || !ATTRIBUTE.test(k)) return false;
    return notFetched(k, asIn ? stringify(k) + ' in entry' : 'entry.' + k);
  }

  /**
   * The end of every entry's prototype chain, before Object.prototype: a property lookup that
   * reaches it found nothing on the entry. Object.prototype's members and symbols pass through.
   */
  const guard = new ProxyCtor(create(objectProto), {
    get(t, k, receiver) {
      if (typeof k !== 'string' || k in objectProto) return reflectGet(t, k, receiver);
      fetchedAbsent(k, false);
      return undefined;
    },
    has(t, k) {
      if (typeof k !== 'string' || k in objectProto) return k in t;
      fetchedAbsent(k, true);
      return false;
    },
  });

  /**
   * The raw field of attribute "name" for an entry, or undefined when the entry lacks it; throws
   * when it was not fetched. `method`: how the script read it (`all` for entry.all("x"), or the
   * whole call, such as "ad.isDisabled(entry)", when it contains a parenthesis).
   * @param {any} self @param {unknown} name @param {string} method
   */
  function fieldOf(self, name, method) {
    const b = self[BATCH], base = self[BASE];
    const how = () => method.indexOf('(') >= 0 ? method : 'entry.' + method + '(' + stringify(String(name)) + ')';
    if (b === undefined || base === undefined) return dynamic ? undefined : notFetched(String(name), how());
    let pos = b.idx[/** @type {string} */ (name)];
    if (pos === undefined) {
      pos = b.idx[lower(name)];
      if (pos === undefined) return dynamic ? undefined : notFetched(String(name), how());
    }
    return b.p[base + pos];
  }

  const proto = create(guard);
  defineProperty(proto, 'all', { value: /** @param {unknown} name */ function all(name) {
    const f = fieldOf(this, name, 'all');
    if (typeof f === 'string') return f === '' ? [] : f === EMPTY ? [''] : f.split(VALUE);
    return f === undefined || f === null ? [] : f.slice();
  } });
  defineProperty(proto, 'has', { value: /** @param {unknown} name @param {unknown} [value] */ function has(name, value) {
    const f = fieldOf(this, name, 'has');
    if (f === undefined || f === null || f === '' || f.length === 0) return false;
    if (value === undefined) return true;
    const v = typeof value === 'string' ? value : String(value);
    const want = lower(v);
    if (typeof f === 'string') {
      if (f.indexOf(VALUE) < 0) return f === EMPTY ? want === '' : f === v || lower(f) === want;
      const vs = f.split(VALUE);
      for (let i = 0; i < vs.length; i++) if (vs[i] === v || lower(vs[i]) === want) return true;
      return false;
    }
    for (let i = 0; i < f.length; i++) if (f[i] === v || lower(f[i]) === want) return true;
    return false;
  } });

  /** Dynamic plans: entries answer any spelling of an attribute's name. */
  /** @type {ProxyHandler<any>} */
  const handler = {
    get(t, k) {
      if (typeof k === 'string' && !(k in t)) { const real = t[BATCH].own[lower(k)]; if (real !== undefined) return t[real]; }
      return t[k];
    },
    has(t, k) { return k in t || (typeof k === 'string' && t[BATCH].own[lower(k)] !== undefined); },
  };

  /** @param {unknown} v */
  function describe(v) {
    if (v === null) return 'null';
    const t = typeof v;
    if (t === 'undefined') return 'undefined';
    if (t === 'string') return 'a string (' + stringify(clip(/** @type {string} */ (v), 40)) + ')';
    if (t === 'number' || t === 'boolean' || t === 'bigint') return 'a ' + t + ' (' + String(v) + ')';
    if (t === 'symbol' || t === 'function') return 'a ' + t;
    if (isArray(v)) return 'an array';
    if (v instanceof PromiseCtor) return 'a Promise (scripts must not be async)';
    return 'an object';
  }

  /** @param {unknown} v */
  function fmt(v) {
    try {
      if (typeof v === 'string') return clip(v, 1000);
      if (typeof v !== 'object' || v === null) return typeof v === 'function' ? '[function]' : String(v);
      if (v instanceof ErrorCtor) return String(v.name) + ': ' + String(v.message);
      const s = stringify(v, (k, x) => typeof x === 'bigint' ? String(x) : x);
      return s === undefined ? String(v) : clip(s, 1000);
    } catch (e) { return '[unprintable value]'; }
  }

  /** @param {ArrayLike<unknown>} args */
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
  /** @type {Record<string, Function>} */
  const consoleObject = {};
  for (const method of ['log', 'info', 'warn', 'error', 'debug']) consoleObject[method] = function () { emit(arguments); };
  defineProperty(globalThis, 'console', { value: consoleObject, writable: false, enumerable: false, configurable: false });

  /** @param {number} i @param {number} s @param {string} code @param {string} message @param {string} [stack] @param {string} [attribute] */
  function err(i, s, code, message, stack, attribute) {
    errors.push([i, s, code, clip(message, 500), stack === undefined ? '' : clip(stack, 2000), attribute === undefined ? '' : attribute]);
  }

  /**
   * Errors after which the pass stops and the host decides: 1 out of memory, 2 interrupted (the host
   * knows which limit), 3 null thrown (what QuickJS throws when it cannot even allocate the error);
   * 0 for ordinary exceptions.
   * @param {unknown} e
   */
  function limitKind(e) {
    if (e === null) return 3;
    if (e instanceof InternalErrorCtor) return e.message === 'interrupted' ? 2 : e.message === 'out of memory' || e.message === 'string too long' ? 1 : 0;
    return e instanceof RangeErrorCtor && e.message === 'invalid string length' ? 1 : 0;
  }

  /** @param {number} i @param {number} s @param {unknown} e */
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

  /**
   * The entry's result when its call read an attribute that was not fetched: whatever the script
   * returned was computed without that value, so it is an error.
   * @param {number} i @param {number} s @param {[string, string]} read
   */
  function recordUnfetched(i, s, read) {
    // No two string literals side by side: esbuild would join them, and the text would differ from this file.
    const name = read[0];
    err(i, s, 'SCRIPT_UNFETCHED_ATTRIBUTE', 'The ' + LABELS[s] + ' script read ' + read[1] + ', which was not fetched, so its value is unknown here. Read it by a literal name (entry.' +
      name + " or entry.all('" + name + "')) so that it is fetched; over a snapshot, capture one that holds it.", undefined, name);
  }

  /**
   * Trims and checks a returned name (cached per batch: names repeat); ERR when it has a control character.
   * @param {number} i @param {number} s @param {string} r
   */
  function checkName(i, s, r) {
    const hit = nameCache[r];
    if (hit !== undefined) return hit;
    const t = r.trim();
    if (CONTROL.test(t)) { err(i, s, 'SCRIPT_RETURN_TYPE', LABELS[s] + ' script returned a name with a control character (' + stringify(clip(t, 40)) + '); names must be plain text'); return ERR; }
    nameCache[r] = t;
    return t;
  }

  /** @param {number} i @param {unknown} r */
  function activeOut(i, r) {
    if (r === true) return '1';
    if (r === false) return '0';
    err(i, 0, 'SCRIPT_RETURN_TYPE', 'Active script returned ' + describe(r) + '; return true or false');
    return ERR;
  }

  /** @param {number} i @param {unknown} r */
  function orgOut(i, r) {
    if (r === null || r === undefined) return '';
    if (typeof r === 'string') return checkName(i, 1, r);
    err(i, 1, 'SCRIPT_RETURN_TYPE', 'Org name script returned ' + describe(r) + '; return a string, or null for no organization');
    return ERR;
  }

  /** @param {number} i @param {unknown} r */
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

  /** @param {any[]} p @param {number} n */
  function loadDynamic(p, n) {
    const out = new Array(n);
    for (let e = 0, j = 0; e < n; e++) {
      /** @type {any} */
      const t = create(proto);
      /** @type {Record<string, number>} */
      const idx = create(null);
      /** @type {Record<string, string>} */
      const own = create(null);
      const m = +p[j + 1];
      t.dn = p[j];
      for (let q = 0; q < m; q++) {
        const key = p[j + 2 + 2 * q], f = p[j + 3 + 2 * q], l = lower(key);
        idx[l] = 3 + 2 * q;
        own[l] = key;
        let v;
        if (typeof f === 'string') { if (f === '') continue; if (f === EMPTY) v = ''; else { const x = f.indexOf(VALUE); v = x < 0 ? f : f.slice(0, x); } }
        else { if (f === null || f.length === 0) continue; v = f[0]; }
        // Computed fields ('$groups') are read through the helpers only, never as properties.
        if (key.charCodeAt(0) !== 36) t[key] = v;
      }
      t[BATCH] = { p, idx, own };
      t[BASE] = j;
      out[e] = new ProxyCtor(t, handler);
      j += 2 + 2 * m;
    }
    return out;
  }

  const driver = {
    /** @param {string} json */
    configure(json) {
      const c = parse(json);
      dynamic = c.dynamic; capture = c.capture; logLimit = c.logLimit; logBudget = c.logLimit; maxLength = c.maxLength;
      index = create(null);
      for (const key in c.index) index[key] = c.index[key];
      errors = []; logs = []; entries = []; count = 0;
      helpers.reset();
    },
    /** Installs the loader generated for a fixed plan (loader-source.ts), and the property names its entries carry. */
    /** @param {(create: typeof Object.create, EMPTY: string, VALUE: string, BASE: symbol) => MadeLoader} factory */
    setLoader(factory) {
      const made = factory(create, EMPTY, VALUE, BASE);
      fixedLoader = made.load;
      known = create(null);
      for (let k = 0; k < made.props.length; k++) known[made.props[k]] = true;
    },
    /** @param {number} s @param {Function | null} fn */
    setFn(s, fn) {
      fns[s] = fn;
      if (fn !== null) { try { freeze(fn); if (typeof fn.prototype === 'object' && fn.prototype !== null) freeze(fn.prototype); } catch (_) { /* a Proxy may refuse */ } }
    },
    /**
     * multi: some field of the batch holds several values (false lets the fixed loader skip looking for VALUE).
     * @param {string} text @param {number} n @param {boolean} json @param {boolean} multi
     */
    load(text, n, json, multi) {
      const p = json ? parse(text) : text.split(FIELD);
      nameCache = create(null); lowerCache = create(null); lowerCount = 0;
      helpers.reset();
      if (dynamic) entries = loadDynamic(p, n);
      else {
        /** @type {any} */
        const batchProto = create(proto);
        batchProto[BATCH] = freeze({ p, idx: index });
        entries = /** @type {Loader} */ (fixedLoader)(p, n, freeze(batchProto), json, multi);
      }
      count = n;
    },
    /**
     * Runs script s over entries [from, until); a number (see limitKind) when stopped by a limit error it caught.
     * @param {number} s @param {number} from @param {number} until @param {boolean} skip
     */
    pass(s, from, until, skip) {
      passFrom = from;
      acc = new Array(until - from);
      if (skip) { for (let i = from; i < until; i++) acc[i - from] = SKIP; return acc.join(FIELD); }
      const fn = /** @type {Function} */ (fns[s]);
      current = s;
      for (let i = from; i < until; i++) {
        cell[0] = i;
        /** @type {unknown} */
        let r;
        let threw = false;
        try { r = fn(entries[i]); } catch (e) {
          const limit = limitKind(e);
          if (limit !== 0) { unfetched = null; return limit; }
          if (unfetched === null) recordThrow(i, s, e);
          threw = true;
        }
        // Checked even when the script caught the guard's error: its result lacks the value.
        if (unfetched !== null) {
          recordUnfetched(i, s, unfetched);
          unfetched = null;
          threw = true;
        }
        if (threw) { acc[i - from] = ERR; continue; }
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
    /** After a pass stopped at entry "upTo": the results it had for entries [from, upTo). @param {number} upTo */
    partial(upTo) { return acc.slice(0, upTo - passFrom).join(FIELD); },
    extras() {
      if (errors.length === 0 && logs.length === 0) return '';
      const s = stringify({ errors, logs });
      errors = []; logs = [];
      return s;
    },
  };

  const helpers = installHelpers({ fieldOf, describe, lower, BATCH, VALUE, EMPTY });
  defineProperty(globalThis, 'ad', { value: helpers.ad, writable: false, enumerable: false, configurable: false });
  defineProperty(globalThis, 'groups', { value: helpers.groups, writable: false, enumerable: false, configurable: false });

  // Array methods loop over "length" in C without polling the interrupt handler: on a sparse array
  // of length 2**32 they would never return. Longer than any array that fits in memory: refused.
  let maxLength = 8388608;
  const applyFn = Reflect.apply;
  /** @param {number} n */
  function tooLong(n) { return new RangeErrorCtor('array too long for a script (' + n + ' elements; the limit is ' + maxLength + ')'); }
  /** @type {any} */
  const arrayProto = Array.prototype;
  for (const method of ['concat', 'copyWithin', 'every', 'fill', 'filter', 'flat', 'flatMap', 'forEach', 'includes', 'indexOf', 'join',
    'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'shift', 'slice', 'some', 'sort', 'splice', 'toLocaleString', 'toString',
    'unshift', 'toReversed', 'toSorted', 'toSpliced', 'with']) {
    const original = arrayProto[method];
    if (typeof original !== 'function') continue;
    const guarded = ({ [method]() {
      const self = /** @type {any} */ (this);
      const n = self === null || self === undefined ? 0 : self.length;
      if (n > maxLength) throw tooLong(n);
      if (method === 'concat') for (let k = 0; k < arguments.length; k++) { const a = arguments[k]; if (typeof a === 'object' && a !== null && a.length > maxLength) throw tooLong(a.length); }
      return applyFn(original, this, arguments);
    } })[method];
    defineProperty(arrayProto, method, { value: guarded, writable: true, enumerable: false, configurable: true });
  }

  // Freeze every intrinsic reachable from the global object, then the global object itself, so no
  // script can leave state or pollution behind for later entries, evaluations or other servers.
  const seen = new Set();
  /** @type {unknown[]} */
  const todo = [globalThis, proto, handler, guard];
  while (todo.length > 0) {
    const o = todo.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
    seen.add(o);
    for (const k of ownKeys(o)) {
      const d = getDescriptor(o, k);
      if (d === undefined) continue;
      if ('value' in d) todo.push(d.value); else { todo.push(d.get); todo.push(d.set); }
    }
    todo.push(getProto(o));
    try { freeze(o); } catch (_) { /* nothing to freeze */ }
  }
  return freeze(driver);
}
