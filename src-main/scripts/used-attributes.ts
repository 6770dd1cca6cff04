/**
 * Static analysis of which LDAP attributes the scripts read, so that only those are fetched and
 * passed into the sandbox. The script is parsed with acorn (see script-ast.ts) and the entry
 * parameter followed through scopes (scope.ts): member reads (`entry.mail`, `entry['mail']`,
 * `entry?.mail`), `entry.all('x')` / `entry.has('x')` with literal names, `'x' in entry`,
 * destructuring (`({ mail }) => ...`, `const { mail: m = '' } = entry`) and aliases
 * (`const e = entry`, followed like the parameter itself). Any other use of the entry (passed to a
 * function, spread, a computed key, `for...in`, returned from a helper...) makes the result
 * `dynamic`: then every attribute is fetched. A script that does not parse is `dynamic` too.
 * The sandbox checks the result at run time (driver.js): a read outside it is an error, never a
 * silent `undefined`.
 */
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { bindingKey, resolveNames, type Resolution, type Scope } from './scope';
import { cachedByText, isFunction, scriptFunction, type AstNode } from './script-ast';

export { containsFunction, mainFunctionOffset } from './script-ast';

/** What one or more scripts read from `entry`. */
export interface AttributeUse {
  /** Attribute names, unique case-insensitively, in the spelling first seen. */
  names: string[];
  /** Lower-cased name -> every spelling used as a property (`entry.givenName`, `entry.givenname`). */
  spellings: Map<string, Set<string>>;
  /** Names exactly as written in `entry.all(...)` / `entry.has(...)` calls. */
  calls: Set<string>;
  /** True when the set of attributes cannot be known statically. */
  dynamic: boolean;
  /** True when a script uses the `groups` helpers: the run loads group memberships (src-main/groups/). */
  groups: boolean;
}

/** Names on `entry` that are not attributes. */
const RESERVED = new Set(['dn', 'all', 'has']);

/**
 * An LDAP attribute description: a descriptor or an OID, with options (`userCertificate;binary`).
 * The sandbox's guard uses the same grammar: a read of any other name is not an attribute read.
 */
export const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;

/**
 * Property names the sandbox never treats as attributes: what JavaScript itself looks up on
 * objects (`then` for promises, `toJSON` for JSON.stringify) and Object.prototype's members.
 */
export const NON_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(['then', 'toJSON', ...Object.getOwnPropertyNames(Object.prototype)]);

/** The attribute names used by the scripts present (case-insensitive, `dn`/`all`/`has` excluded). */
export function usedAttributes(scripts: ServerScripts): { names: string[]; dynamic: boolean } {
  const use = analyzeScripts(scripts);
  return { names: use.names, dynamic: use.dynamic };
}

/** True when a script present uses the `groups` helpers: its run loads nested group memberships (src-main/groups/). */
export function usesGroups(scripts: ServerScripts): boolean {
  return analyzeScripts(scripts).groups;
}

const emptyUse = (): AttributeUse => ({ names: [], spellings: new Map(), calls: new Set(), dynamic: false, groups: false });

/**
 * The sandbox's helper globals (sandbox-js/helpers.js) that take the entry itself, and the
 * attributes each reads from it: `ad.isDisabled(entry)` reads userAccountControl, the `groups`
 * helpers read the computed memberships (AttributeUse.groups), nothing else.
 */
const ENTRY_HELPERS: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>> = new Map([
  ['ad', new Map([['isDisabled', ['userAccountControl']], ['uacFlags', ['userAccountControl']], ['hasUacFlag', ['userAccountControl']]])],
  ['groups', new Map([['isMember', []], ['of', []], ['names', []]])],
]);

/** Like {@link usedAttributes}, with the property spellings the sandbox must provide. */
export function analyzeScripts(scripts: ServerScripts): AttributeUse {
  const total = emptyUse();
  for (const text of [scripts.active, scripts.orgName, scripts.roleName]) {
    if (text === null || text.trim() === '') continue;
    const one = analysisOf(text);
    total.dynamic ||= one.dynamic;
    total.groups ||= one.groups;
    for (const c of one.calls) total.calls.add(c);
    for (const name of one.names) {
      const key = name.toLowerCase();
      if (!total.spellings.has(key)) {
        total.names.push(name);
        total.spellings.set(key, new Set());
      }
      for (const s of one.spellings.get(key) ?? []) total.spellings.get(key)!.add(s);
    }
  }
  return total;
}

/** Each script's analysis, by text (read only by analyzeScripts, which copies out of it). */
const analysisOf = cachedByText((text) => analyzeScript(text));

/** A string known statically: a string literal or a template without substitutions. */
function literalString(n: AstNode | null | undefined): string | undefined {
  if (!n) return undefined;
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && (n.expressions as AstNode[]).length === 0) return ((n.quasis as AstNode[])[0].value as { cooked: string | null }).cooked ?? undefined;
  return undefined;
}

/** Comparisons and tests that look at the entry object itself, never at its properties. */
const BENIGN_BINARY = new Set(['===', '!==', '==', '!=', 'instanceof']);
const BENIGN_UNARY = new Set(['!', 'typeof', 'void', 'delete']);
const TEST_OF = new Set(['IfStatement', 'WhileStatement', 'DoWhileStatement', 'ForStatement', 'SwitchStatement', 'SwitchCase']);

/** Analyses one script's text. */
export function analyzeScript(text: string): AttributeUse {
  const use = emptyUse();
  const parsed = scriptFunction(text);
  // Unknown reads: every attribute, and the group memberships when the text may use them.
  if (!parsed) return { ...use, dynamic: true, groups: /\bgroups\b/.test(text) };
  const main = parsed.fn;
  // No function known statically (compile reports what it is): nothing is known about its reads.
  if (!main) return { ...use, dynamic: true, groups: /\bgroups\b/.test(text) };
  const names = resolveNames(parsed.program);
  const mainScope = names.functionScopes.get(main)!;
  // References to the sandbox's helper globals (not shadowed by the script's own names).
  const globalRefs = new Set<AstNode>();
  for (const r of names.references) {
    if (r.scope !== null) continue;
    globalRefs.add(r.node);
    // Any use of `groups`, even `const g = groups`, loads the memberships: the helpers need them.
    if (r.node.name === 'groups') use.groups = true;
  }
  /** The helper `ad.x` / `groups.x` that `callee` names, as [object, method], or null. */
  const helperOf = (callee: AstNode): [string, string] | null => {
    if (callee.type !== 'MemberExpression' || callee.optional) return null;
    const obj = callee.object as AstNode;
    if (obj.type !== 'Identifier' || !globalRefs.has(obj)) return null;
    const key = callee.computed ? literalString(callee.property as AstNode) : ((callee.property as AstNode).name as string | undefined);
    return key !== undefined && ENTRY_HELPERS.get(obj.name as string)?.has(key) ? [obj.name as string, key] : null;
  };

  // Reads are found binding by binding; they are recorded in source order (first spelling seen wins).
  const reads: Array<{ at: number; name: string; asProperty: boolean }> = [];
  let at = 0;
  const add = (name: string, asProperty: boolean) => reads.push({ at, name, asProperty });
  const record = (name: string, asProperty: boolean) => {
    if (RESERVED.has(name) || NON_ATTRIBUTE_NAMES.has(name) || !ATTRIBUTE_NAME.test(name)) return;
    const key = name.toLowerCase();
    if (!use.spellings.has(key)) {
      use.names.push(name);
      use.spellings.set(key, new Set());
    }
    if (asProperty) use.spellings.get(key)!.add(name);
    else use.calls.add(name);
  };
  /** A property of the entry read by name (member read, destructuring, `in`). */
  const readKey = (key: string) => {
    if (key === 'all' || key === 'has' || (NON_ATTRIBUTE_NAMES.has(key) && key !== 'then' && key !== 'toJSON')) use.dynamic = true;
    else add(key, true);
  };

  const entryBindings = new Set<string>();
  const queue: string[] = [];
  const follow = (key: string | undefined) => {
    if (key === undefined) use.dynamic = true;
    else if (!entryBindings.has(key)) {
      entryBindings.add(key);
      queue.push(key);
    }
  };

  /** The entry's properties read by an object pattern; anything it cannot name makes the use dynamic. */
  const destructure = (p: AstNode) => {
    for (const q of p.properties as AstNode[]) {
      if (q.type === 'RestElement') {
        use.dynamic = true;
        continue;
      }
      const k = q.key as AstNode;
      const key = q.computed ? literalString(k) : k.type === 'Identifier' ? (k.name as string) : String(k.value);
      if (key === undefined) use.dynamic = true;
      else readKey(key);
    }
  };

  /** A pattern that receives the entry. */
  const receive = (p: AstNode) => {
    if (p.type === 'Identifier') follow(names.declarations.get(p));
    else if (p.type === 'ObjectPattern') destructure(p);
    else if (p.type === 'AssignmentPattern') receive(p.left as AstNode);
    else use.dynamic = true;
  };

  const param = (main.params as AstNode[])[0];
  if (param) receive(param);

  /** Where the value of `node` (the entry, or an expression that may evaluate to it) goes. */
  const classify = (node: AstNode): void => {
    const p = names.parents.get(node);
    if (!p) return;
    switch (p.type) {
      case 'MemberExpression': {
        if (p.object !== node) return void (use.dynamic = true);
        const key = p.computed ? literalString(p.property as AstNode) : ((p.property as AstNode).name as string | undefined);
        if (key === undefined) {
          // entry[0]: a number is never an attribute name.
          const prop = p.property as AstNode;
          if (!(prop.type === 'Literal' && typeof prop.value === 'number')) use.dynamic = true;
          return;
        }
        if (key === 'all' || key === 'has') {
          let callee: AstNode = p;
          let call = names.parents.get(p);
          if (call?.type === 'ChainExpression') [callee, call] = [call, names.parents.get(call)];
          const arg = call?.type === 'CallExpression' && call.callee === callee ? (call.arguments as AstNode[])[0] : undefined;
          const name = arg && arg.type !== 'SpreadElement' ? literalString(arg) : undefined;
          if (name === undefined) use.dynamic = true;
          else add(name, false);
          return;
        }
        if (key !== 'dn') readKey(key);
        return;
      }
      case 'ChainExpression':
        return classify(p);
      case 'UnaryExpression':
        if (!BENIGN_UNARY.has(p.operator as string)) use.dynamic = true;
        return;
      case 'BinaryExpression':
        if (p.operator === 'in' && p.right === node) {
          const key = literalString(p.left as AstNode);
          if (key === undefined) use.dynamic = true;
          else if (key !== 'dn') readKey(key);
        } else if (!BENIGN_BINARY.has(p.operator as string)) use.dynamic = true;
        return;
      case 'LogicalExpression':
        // `entry && x` gives x (an entry is never falsy); otherwise the result may be the entry.
        if (!(p.left === node && p.operator === '&&')) classify(p);
        return;
      case 'ConditionalExpression':
        if (p.test !== node) classify(p);
        return;
      case 'SequenceExpression':
        if ((p.expressions as AstNode[]).at(-1) === node) classify(p);
        return;
      case 'ExpressionStatement':
        return;
      case 'CallExpression': {
        // The entry handed to a helper of the sandbox: its reads are known.
        const helper = p.callee !== node ? helperOf(p.callee as AstNode) : null;
        if (!helper) return void (use.dynamic = true);
        for (const name of ENTRY_HELPERS.get(helper[0])!.get(helper[1])!) add(name, false);
        return;
      }
      case 'VariableDeclarator':
        if (p.init === node) receive(p.id as AstNode);
        return;
      case 'AssignmentExpression':
        if (p.right !== node) return;
        if (p.operator !== '=') return void (use.dynamic = true);
        receiveAssigned(p.left as AstNode);
        classify(p);
        return;
      case 'AssignmentPattern':
        if (p.right === node) receive(p.left as AstNode);
        return;
      case 'ReturnStatement':
        if (enclosingFunction(names, p) !== main) use.dynamic = true;
        return;
      case 'ArrowFunctionExpression':
        if (p !== main) use.dynamic = true;
        return;
      default:
        if (TEST_OF.has(p.type) && (p.test === node || p.discriminant === node)) return;
        use.dynamic = true;
    }
  };

  /** The target of `x = entry`: a local variable is followed, a pattern destructured, anything else is dynamic. */
  const receiveAssigned = (target: AstNode) => {
    if (target.type === 'ObjectPattern') destructure(target);
    else if (target.type === 'Identifier') {
      const scope = referenceScope(names, target);
      follow(scope ? bindingKey(scope, target.name as string) : undefined);
    } else use.dynamic = true;
  };

  const byBinding = new Map<string, AstNode[]>();
  for (const r of names.references) {
    const name = r.node.name as string;
    if (name === 'arguments' && r.scope === mainScope) use.dynamic = true;
    if (name === 'eval' && r.scope === null && names.parents.get(r.node)?.type === 'CallExpression') use.dynamic = true;
    if (!r.scope) continue;
    const key = bindingKey(r.scope, name);
    const list = byBinding.get(key);
    if (list) list.push(r.node);
    else byBinding.set(key, [r.node]);
  }
  if (hasWith(main)) use.dynamic = true;
  while (queue.length > 0) {
    for (const node of byBinding.get(queue.pop()!) ?? []) {
      at = node.start;
      classify(node);
    }
  }
  for (const r of reads.sort((a, b) => a.at - b.at)) record(r.name, r.asProperty);
  return use;
}

/** The scope an assigned identifier resolves to. */
function referenceScope(names: Resolution, id: AstNode): Scope | null {
  const r = names.references.find((x) => x.node === id);
  return r?.scope ?? null;
}

/** The innermost function around a node. */
function enclosingFunction(names: Resolution, node: AstNode): AstNode | null {
  for (let n = names.parents.get(node); n; n = names.parents.get(n)) if (isFunction(n)) return n;
  return null;
}

/** A `with` statement makes every name inside it unknowable. */
function hasWith(fn: AstNode): boolean {
  const todo = [fn];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (n.type === 'WithStatement') return true;
    for (const key in n) {
      const v = n[key];
      if (Array.isArray(v)) for (const x of v) if (x && typeof x.type === 'string') todo.push(x);
      if (v && typeof (v as AstNode).type === 'string') todo.push(v as AstNode);
    }
  }
  return false;
}
