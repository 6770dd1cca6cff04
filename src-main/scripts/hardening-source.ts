/**
 * The part of the sandbox driver that hardens the QuickJS global environment once the driver has
 * taken what it needs: guards on Array methods that loop in C, then a deep freeze of every
 * intrinsic and of the global object. Inserted into the driver's source (it uses the driver's
 * locals: defineProperty, freeze, ownKeys, getDescriptor, getProto, RangeErrorCtor, proto, handler).
 */

/** Driver source fragment; `maxLength` is set by the driver's configure(). */
export const HARDENING_SOURCE = String.raw`// Array methods loop over "length" in C without polling the interrupt handler: on a sparse array
// of length 2**32 they would never return. Longer than any array that fits in memory: refused.
let maxLength = 8388608;
const applyFn = Reflect.apply;
function tooLong(n) { return new RangeErrorCtor('array too long for a script (' + n + ' elements; the limit is ' + maxLength + ')'); }
for (const method of ['concat', 'copyWithin', 'every', 'fill', 'filter', 'flat', 'flatMap', 'forEach', 'includes', 'indexOf', 'join',
  'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'shift', 'slice', 'some', 'sort', 'splice', 'toLocaleString', 'toString',
  'unshift', 'toReversed', 'toSorted', 'toSpliced', 'with']) {
  const original = Array.prototype[method];
  if (typeof original !== 'function') continue;
  const guarded = ({ [method]() {
    const n = this === null || this === undefined ? 0 : this.length;
    if (n > maxLength) throw tooLong(n);
    if (method === 'concat') for (let k = 0; k < arguments.length; k++) { const a = arguments[k]; if (typeof a === 'object' && a !== null && a.length > maxLength) throw tooLong(a.length); }
    return applyFn(original, this, arguments);
  } })[method];
  defineProperty(Array.prototype, method, { value: guarded, writable: true, enumerable: false, configurable: true });
}

// Freeze every intrinsic reachable from the global object, then the global object itself, so no
// script can leave state or pollution behind for later entries, evaluations or other servers.
const seen = new Set();
const todo = [globalThis, proto, handler];
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
`;
