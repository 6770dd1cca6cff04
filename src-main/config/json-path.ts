/** One step into a JSON document: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Renders a path as config authors read it: `servers[1].trustedCertificates[0].file`; the root is `(root)`. */
export function jsonPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(root)';
}

/** The value at `segments` inside `doc`, or undefined when any step is missing. */
export function valueAt(doc: unknown, segments: readonly PathSegment[]): unknown {
  let v = doc;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PathSegment, unknown>)[s];
  }
  return v;
}

/** The first field name of a path relative to one server (`trustedCertificates[0].pem` → `trustedCertificates`). */
export function topField(path: string): string {
  return /^[^.[]*/.exec(path)?.[0] ?? path;
}

/** Describes a JSON value's type for messages: `a string`, `a number`, `an object`, `null`… */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'a whole number' : 'a number';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
