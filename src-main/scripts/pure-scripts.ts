/**
 * Whether a server's scripts are functions of the attribute values they read, so that a run may
 * evaluate them once per distinct set of those values and give every entry with the same values
 * the same outcome (outcome-memo.ts). Most real scripts are: Active reads a status or
 * userAccountControl, Org name a department, Role name a title or a group list; 100k entries then
 * hold a few dozen distinct inputs.
 *
 * The sandbox already freezes every intrinsic and the global object (sandbox-js/driver.js), so a
 * script cannot leave state in them. What is left, and refused here (the run then evaluates every
 * entry as before):
 *   - reads the analysis cannot name (`dynamic`), the `groups` helpers (memberships are not values
 *     of the entry), and the DN (`entry.dn` makes every input distinct: not worth a memo);
 *   - clocks and chance: any global but a fixed allow-list of pure ones (`Date`, `console`,
 *     `globalThis` are not on it), and `Math.random`;
 *   - state of the script's own program: top-level statements other than function declarations
 *     and the function itself; a top-level function used other than by calling it (its object or
 *     prototype could hold state); `this`; and the properties that reach prototypes, constructors
 *     or a function's caller (`__proto__`, `prototype`, `constructor`, `callee`, `caller`,
 *     `getPrototypeOf`, ...).
 * Everything a call makes inside the function (objects, closures, regular expressions) is new on
 * every call, so it cannot carry anything from one entry to the next.
 */
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { resolveNames } from './scope';
import { children, scriptFunction, type AstNode } from './script-ast';
import { analyzeScripts } from './used-attributes';

/** Globals a memoisable script may use: pure functions and constants, and the sandbox's `ad` helpers. */
const PURE_GLOBALS: ReadonlySet<string> = new Set([
  'undefined', 'NaN', 'Infinity', 'arguments', 'Object', 'Array', 'String', 'Number', 'Boolean', 'Math', 'JSON', 'RegExp',
  'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI',
  'escape', 'unescape', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'Map', 'Set', 'BigInt', 'Symbol', 'ad',
]);

/** Properties that reach prototypes, constructors, callers or property definitions. */
const STATEFUL_PROPERTIES: ReadonlySet<string> = new Set([
  '__proto__', 'prototype', 'constructor', 'callee', 'caller', 'getPrototypeOf', 'setPrototypeOf', 'defineProperty',
  'defineProperties', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'random',
]);

/** Top-level expressions that only name the function (`(entry) => ...`, `function f(entry) {...}` then `f`). */
const NAMING = new Set(['FunctionExpression', 'ArrowFunctionExpression', 'Identifier']);

/** Null when the scripts' outcomes depend only on the attribute values they read; else why not (for tests and logs). */
export function memoBlocker(scripts: ServerScripts): string | null {
  const use = analyzeScripts(scripts);
  if (use.dynamic) return 'a script reads attributes by computed names';
  if (use.groups) return 'a script uses the groups helpers';
  for (const text of [scripts.active, scripts.orgName, scripts.roleName]) {
    if (text === null || text.trim() === '') continue;
    const why = scriptBlocker(text);
    if (why) return why;
  }
  return null;
}

/** The property name of a member expression when it is static, else undefined. */
function propertyName(m: AstNode): string | undefined {
  const p = m.property as AstNode;
  if (!m.computed) return p.name as string;
  return p.type === 'Literal' && typeof p.value === 'string' ? p.value : undefined;
}

function scriptBlocker(text: string): string | null {
  const parsed = scriptFunction(text);
  if (!parsed?.fn) return 'a script is not a function known statically';
  const program = parsed.program;
  for (const s of program.body as AstNode[]) {
    if (s.type === 'FunctionDeclaration' || s.type === 'EmptyStatement') continue;
    if (s.type === 'ExpressionStatement') {
      const e = s.expression as AstNode;
      const parts = e.type === 'SequenceExpression' ? (e.expressions as AstNode[]) : [e];
      if (parts.every((x) => NAMING.has(x.type))) continue;
    }
    return 'a script runs statements besides declaring its functions';
  }
  const names = resolveNames(program);
  for (const r of names.references) {
    const name = r.node.name as string;
    const parent = names.parents.get(r.node);
    if (r.scope === null) {
      if (!PURE_GLOBALS.has(name)) return `a script uses ${name}`;
      continue;
    }
    // A binding of the program itself (a top-level function): only called, or named as the script's value.
    if (r.scope.parent === null) {
      const called = parent?.type === 'CallExpression' && parent.callee === r.node;
      const named = parent?.type === 'ExpressionStatement' || parent?.type === 'SequenceExpression';
      if (!called && !named) return `a script uses its function ${name} other than by calling it`;
    }
  }
  const todo: AstNode[] = [program];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (n.type === 'ThisExpression') return 'a script uses this';
    if (n.type === 'MemberExpression') {
      const key = propertyName(n);
      if (key === 'dn') return 'a script reads the DN';
      if (key !== undefined && STATEFUL_PROPERTIES.has(key)) return `a script uses .${key}`;
    }
    if (n.type === 'BinaryExpression' && n.operator === 'in') {
      const l = n.left as AstNode;
      if (l.type === 'Literal' && l.value === 'dn') return 'a script reads the DN';
    }
    if ((n.type === 'ObjectPattern')) {
      for (const q of n.properties as AstNode[]) {
        const k = q.key as AstNode | undefined;
        if (k && ((k.type === 'Identifier' && !q.computed && k.name === 'dn') || (k.type === 'Literal' && k.value === 'dn'))) return 'a script reads the DN';
      }
    }
    todo.push(...children(n));
  }
  return null;
}
