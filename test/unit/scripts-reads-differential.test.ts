/**
 * Differential check of the attribute analysis against what scripts really read: many generated
 * scripts (every read form, aliases, closures, shadowing helpers, both script forms) run once in
 * Node over a recording Proxy holding every attribute, and once in the real sandbox with only the
 * attributes the analysis found. Every attribute a script reads at run time must be in the
 * static set (or the plan is dynamic), and the sandbox must give the same answers with no
 * SCRIPT_UNFETCHED_ATTRIBUTE error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';
import { analyzeScripts } from '../../src-main/scripts/used-attributes';

const POOL = ['mail', 'sn', 'givenName', 'title', 'employeeType', 'memberOf', 'nsAccountLock', 'l', 'ou', 'uid'];
const NOT_READS = new Set(['dn', 'all', 'has', 'then', 'toJSON', ...Object.getOwnPropertyNames(Object.prototype)]);

/** A small deterministic generator (so a failure names a reproducible script). */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

/** One read of attribute `a` through the entry expression `p` (inside a function whose parameter is `param`). */
function readOf(r: ReturnType<typeof rng>, p: string, a: string): string {
  const forms = [
    () => `${p}.${a}`,
    () => `${p}['${a}']`,
    () => `${p}?.${a}`,
    () => `${p}[\`${a}\`]`,
    () => `${p}.all('${a}').join(',')`,
    () => `${p}.has('${a}')`,
    () => `('${a}' in ${p})`,
    () => `(() => { const { ${a}: v = 'd' } = ${p}; return v; })()`,
    () => `(() => { const x = ${p}; const y = x; return y.${a}; })()`,
    () => `(() => { let x; x = ${p}; return x?.${a}; })()`,
    () => `(${p}.uid ? ${p} : {}).${a}`,
    () => `(${p} || {}).${a}`,
    () => `[0].map(() => ${p}.${a})[0]`,
    () => `${p}?.all?.('${a}')[0]`,
    // A helper whose own parameter shadows the entry's name reads a literal object, not the entry.
    () => `(function (${p}) { return ${p}.${a}; })({ ${a}: 'shadow' })`,
    // Reads the analysis cannot name: the plan becomes dynamic.
    () => `${p}[['${a.slice(0, 1)}', '${a.slice(1)}'].join('')]`,
    () => `Object.keys(${p}).length`,
    () => `JSON.stringify(${p}).length`,
  ];
  // Dynamic forms are rarer, so that most scripts exercise the exact path.
  const k = r.next() < 0.9 ? Math.floor(r.next() * (forms.length - 3)) : forms.length - 3 + Math.floor(r.next() * 3);
  return forms[k]();
}

/** A generated Org name script and whether it is an expression-form function (else a program). */
function script(r: ReturnType<typeof rng>): { text: string; expression: boolean } {
  const param = r.pick(['entry', 'e', 'user']);
  const n = 1 + Math.floor(r.next() * 4);
  const body = `String([${Array.from({ length: n }, () => readOf(r, param, r.pick(POOL))).join(', ')}])`;
  switch (Math.floor(r.next() * 4)) {
    case 0:
      return { text: `function(${param}) { return ${body}; }`, expression: true };
    case 1:
      return { text: `${param} => ${body}`, expression: false };
    case 2:
      return { text: `const helper = (x) => x;\n(function(${param}) { return helper(${body}); })`, expression: false };
    default: {
      const [a, b] = [r.pick(POOL), r.pick(POOL)];
      return { text: `({ ${a}, ${b}: second = 'none' }) => String([${a}, second])`, expression: false };
    }
  }
}

/** The entry as a plain object behind a Proxy that records every attribute read. */
function recordingEntry(entry: EntryInput, reads: Set<string>) {
  const proto = {
    all(name: string) {
      reads.add(name);
      return [...(entry.attributes[name] ?? [])];
    },
    has(name: string, value?: string) {
      reads.add(name);
      const vs = entry.attributes[name] ?? [];
      return value === undefined ? vs.length > 0 : vs.some((v) => v.toLowerCase() === String(value).toLowerCase());
    },
  };
  const target: Record<string, unknown> = Object.assign(Object.create(proto), { dn: entry.dn });
  for (const [k, vs] of Object.entries(entry.attributes)) if (vs.length > 0) target[k] = vs[0];
  const note = (k: string | symbol) => {
    if (typeof k === 'string' && !NOT_READS.has(k)) reads.add(k);
  };
  return new Proxy(target, {
    get(t, k, receiver) {
      note(k);
      return Reflect.get(t, k, receiver);
    },
    has(t, k) {
      note(k);
      return k in t;
    },
  });
}

function runInNode(text: string, expression: boolean, entry: unknown): string | null {
  const fn = (0, eval)(expression ? `(${text})` : text) as (e: unknown) => unknown;
  const out = fn(entry);
  return typeof out === 'string' && out.trim() !== '' ? out.trim() : null;
}

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

describe('the attribute analysis against the reads scripts really make', () => {
  it('covers every attribute read at run time, and the sandbox answers as if it had them all', () => {
    const r = rng(20261207);
    const entries: EntryInput[] = Array.from({ length: 24 }, (_, i) => {
      const attributes: Record<string, string[]> = { uid: [`u${i}`] };
      for (const a of POOL) if (a !== 'uid' && r.next() < 0.5) attributes[a] = r.next() < 0.3 ? [`${a}-${i}`, `${a}-${i}b`] : [`${a}-${i}`];
      return { dn: `uid=u${i},ou=people`, attributes };
    });
    let exact = 0;
    for (let k = 0; k < 400; k++) {
      const { text, expression } = script(r);
      const use = analyzeScripts({ active: 'e => true', orgName: text, roleName: null });
      const reads = new Set<string>();
      const expected = entries.map((e) => runInNode(text, expression, recordingEntry(e, reads)));
      if (!use.dynamic) {
        exact++;
        const known = new Set(use.names.map((n) => n.toLowerCase()));
        expect({ text, missed: [...reads].filter((a) => !known.has(a.toLowerCase())) }).toEqual({ text, missed: [] });
      }
      const { outcomes } = engine.evaluate({ active: 'e => true', orgName: text, roleName: null }, entries);
      expect({ text, errors: outcomes.flatMap((o) => o.errors) }).toEqual({ text, errors: [] });
      expect({ text, orgs: outcomes.map((o) => o.org) }).toEqual({ text, orgs: expected });
    }
    // Most generated scripts take the exact path (the rest exercise the dynamic one).
    expect(exact).toBeGreaterThan(200);
  });
});
