/**
 * Generates, per attribute plan, the sandbox function that turns a packed batch into `entry`
 * objects. Specialised code (one straight block per attribute, property names as literals) is
 * about three times faster in QuickJS than a generic loop over the plan.
 */
import type { WirePlan } from './wire';

/** A key identifying the generated loader for a plan. */
export function loaderKey(plan: WirePlan): string {
  return JSON.stringify([plan.spell, plan.raw]);
}

/** An object-literal key for a property name (never the `__proto__` form, which would set the prototype). */
function literalKey(name: string): string {
  return name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name);
}

/**
 * Source of `(create, EMPTY, VALUE, BASE) => { props, load(p, n, batchProto, json, multi) }`: the
 * driver supplies its private constants; `props` lists every property name the entries may
 * carry (the fetched attributes as the scripts spell them), which the driver's guard lets read
 * as absent. Property names are JSON-quoted attribute names, never code.
 *
 * An entry that has every attribute the plan sets as a property (the usual case) is built as one
 * object literal: in QuickJS that costs about half of creating the object and assigning the
 * properties one by one (each assignment first searches the prototype chain for a setter). The
 * literal defines the same properties, with the same values, in the same order as the
 * assignments. Entries lacking one of them, and JSON batches (values with control characters,
 * whose fields are arrays), take the assignment path, which leaves absent attributes unset.
 * `multi` is false when no field of the batch holds several values: no separator to look for.
 */
export function loaderSource(plan: WirePlan): string {
  const stride = plan.names.length + 1;
  const used = plan.spell.map((spellings, a) => ({ spellings, a })).filter((u) => u.spellings.length > 0);
  const blocks = used.map(({ spellings, a }) => {
    const sets = spellings.map((s) => `o[${JSON.stringify(s)}] = v;`).join(' ');
    return [
      `    f = p[j + ${a + 1}];`,
      `    if (typeof f === 'string') { if (f !== '') { if (f === EMPTY) v = ''; else { x = f.indexOf(VALUE); v = x < 0 ? f : f.slice(0, x); } ${sets} } }`,
      `    else if (f !== null && f.length > 0) { v = f[0]; ${sets} }`,
    ].join('\n');
  });
  const reads = used.map(({ a }) => `      const f${a} = p[j + ${a + 1}];`);
  const absent = used.map(({ a }) => `f${a} === ''`).join(' || ');
  const values = used.map(({ a }) => `      let v${a} = f${a} === EMPTY ? '' : f${a};`);
  const firsts = used.map(({ a }) => `        x = f${a}.indexOf(VALUE); if (x >= 0) v${a} = f${a}.slice(0, x);`);
  const props = ['dn: p[j]', ...used.flatMap(({ spellings, a }) => spellings.map((s) => `${literalKey(s)}: v${a}`)), ...(plan.raw ? ['[BASE]: j'] : [])];
  return [
    '(function (create, EMPTY, VALUE, BASE) {',
    "  'use strict';",
    '  function assign(p, j, batchProto) {',
    '    const o = create(batchProto);',
    '    o.dn = p[j];',
    '    let f, v, x;',
    ...blocks,
    plan.raw ? '    o[BASE] = j;' : '',
    '    return o;',
    '  }',
    `  return { props: ${JSON.stringify(plan.spell.flat())}, load: function load(p, n, batchProto, json, multi) {`,
    '    const out = new Array(n);',
    `    for (let e = 0, j = 0; e < n; e++, j += ${stride}) {`,
    '      if (json) { out[e] = assign(p, j, batchProto); continue; }',
    ...reads,
    ...(absent ? [`      if (${absent}) { out[e] = assign(p, j, batchProto); continue; }`] : []),
    ...values,
    ...(firsts.length > 0 ? ['      if (multi) {', '        let x;', ...firsts, '      }'] : []),
    `      out[e] = { __proto__: batchProto, ${props.join(', ')} };`,
    '    }',
    '    return out;',
    '  } };',
    '})',
  ].join('\n');
}
