/**
 * Static analysis of which LDAP attributes the scripts read, so that only those are fetched and
 * passed into the sandbox. When the set cannot be known (`entry[x]`, `Object.keys(entry)`, the entry
 * handed to another function...), the result is `dynamic` and the caller passes every attribute.
 */
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { matchBrackets, tokenize, type Token } from './tokenize';

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
}

/** Names on `entry` that are not attributes. */
const RESERVED = new Set(['dn', 'all', 'has']);

/** An LDAP attribute description: a descriptor or an OID, with options (`userCertificate;binary`). */
const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;

/** Tokens after which a line break does not end a statement. */
const CONTINUES = new Set([
  '=', ',', '(', '[', '{', '.', '?.', '?', ':', '=>', '+', '-', '*', '/', '%', '**', '&&', '||', '??', '!', '~',
  '==', '===', '!=', '!==', '<', '>', '<=', '>=', '&', '|', '^', '<<', '>>', '>>>',
  '+=', '-=', '*=', '/=', '%=', '&&=', '||=', '??=', '**=', '<<=', '>>=', '>>>=', '&=', '|=', '^=',
]);

interface FunctionStart {
  /** Index of the function's first token. */
  start: number;
  /** Index of the first token of the parameter list (a name, or the `(`). */
  params: number;
}

/** The attribute names used by the scripts present (case-insensitive, `dn`/`all`/`has` excluded). */
export function usedAttributes(scripts: ServerScripts): { names: string[]; dynamic: boolean } {
  const use = analyzeScripts(scripts);
  return { names: use.names, dynamic: use.dynamic };
}

/** Like {@link usedAttributes}, with the property spellings the sandbox must provide. */
export function analyzeScripts(scripts: ServerScripts): AttributeUse {
  const total: AttributeUse = { names: [], spellings: new Map(), calls: new Set(), dynamic: false };
  for (const text of [scripts.active, scripts.orgName, scripts.roleName]) {
    if (text === null || text.trim() === '') continue;
    const one = analyzeScript(text);
    total.dynamic ||= one.dynamic;
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

/** Analyses one script's text. */
export function analyzeScript(text: string): AttributeUse {
  const tokens = tokenize(text);
  const pairs = matchBrackets(tokens);
  const use: AttributeUse = { names: [], spellings: new Map(), calls: new Set(), dynamic: false };
  const main = findMainFunction(tokens, pairs);
  if (!main) return use;
  const paramTokens = new Set<number>();
  for (const range of parameterLists(tokens, pairs)) for (let k = range[0]; k <= range[1]; k++) paramTokens.add(k);

  const add = (name: string, asProperty: boolean) => {
    if (RESERVED.has(name) || !ATTRIBUTE_NAME.test(name)) return;
    const key = name.toLowerCase();
    if (!use.spellings.has(key)) {
      use.names.push(name);
      use.spellings.set(key, new Set());
    }
    if (asProperty) use.spellings.get(key)!.add(name);
    else use.calls.add(name);
  };

  const first = tokens[main.params];
  if (first.type === 'punct' && first.value === '(') {
    const close = pairs.get(main.params) ?? tokens.length - 1;
    const p = tokens[main.params + 1];
    if (p?.type === 'punct' && p.value === '{') {
      destructured(tokens, main.params + 1, pairs.get(main.params + 1) ?? close, add, use);
      return use;
    }
    if (p?.type !== 'name') return use;
    scanUses(tokens, p.value, paramTokens, add, use);
  } else if (first.type === 'name') {
    scanUses(tokens, first.value, paramTokens, add, use);
  }
  return use;
}

/** True when the text contains a function expression or declaration anywhere. */
export function containsFunction(text: string): boolean {
  const tokens = tokenize(text);
  const pairs = matchBrackets(tokens);
  return tokens.some((_, i) => functionAt(tokens, pairs, i) !== null);
}

/** Offset in the text where the function the script evaluates to starts (0 when unknown). */
export function mainFunctionOffset(text: string): number {
  const tokens = tokenize(text);
  const main = findMainFunction(tokens, matchBrackets(tokens));
  return main ? tokens[main.start].start : (tokens[0]?.start ?? 0);
}

/** Finds where the function that the script evaluates to starts. */
function findMainFunction(tokens: Token[], pairs: Map<number, number>): FunctionStart | null {
  let depth = 0;
  let found: FunctionStart | null = null;
  let firstAnywhere: FunctionStart | null = null;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const any = functionAt(tokens, pairs, i);
    if (any && !firstAnywhere) firstAnywhere = any;
    if (depth === 0 && statementStartsAt(tokens, i)) {
      let q = i;
      while (tokens[q]?.type === 'punct' && tokens[q].value === '(' && !functionAt(tokens, pairs, q)) q++;
      const fn = functionAt(tokens, pairs, q);
      const declaration = q === i && tokens[q]?.value === 'function' && tokens[q + 1]?.type === 'name';
      if (fn && !declaration) found = fn;
    }
    if (t.type === 'punct') {
      if (t.value === '(' || t.value === '[' || t.value === '{') depth++;
      else if (t.value === ')' || t.value === ']' || t.value === '}') depth = Math.max(0, depth - 1);
    }
  }
  return found ?? firstAnywhere;
}

function statementStartsAt(tokens: Token[], i: number): boolean {
  if (i === 0) return true;
  const prev = tokens[i - 1];
  if (prev.type === 'punct' && (prev.value === ';' || prev.value === '}')) return true;
  if (!tokens[i].newlineBefore) return false;
  return !(prev.type === 'punct' && CONTINUES.has(prev.value)) && !(prev.type === 'name' && prev.value === 'return');
}

/** A function expression starting at token i: `function`, `async`, `x =>` or `(...) =>`. */
function functionAt(tokens: Token[], pairs: Map<number, number>, i: number): FunctionStart | null {
  const start = i;
  let t = tokens[i];
  if (!t) return null;
  if (t.type === 'name' && t.value === 'async' && tokens[i + 1] && !tokens[i + 1].newlineBefore) {
    i++;
    t = tokens[i];
  }
  if (t.type === 'name' && t.value === 'function') {
    let k = i + 1;
    if (tokens[k]?.value === '*') k++;
    if (tokens[k]?.type === 'name') k++;
    return tokens[k]?.value === '(' ? { start, params: k } : null;
  }
  if (t.type === 'name' && tokens[i + 1]?.value === '=>') return { start, params: i };
  if (t.type === 'punct' && t.value === '(') {
    const close = pairs.get(i);
    if (close !== undefined && tokens[close + 1]?.value === '=>') return { start, params: i };
  }
  return null;
}

/** Token index ranges of every parameter list (declarations of names, not uses). */
function parameterLists(tokens: Token[], pairs: Map<number, number>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    const fn = functionAt(tokens, pairs, i);
    if (!fn) continue;
    const open = fn.params;
    if (tokens[open].type === 'name') out.push([open, open]);
    else out.push([open, pairs.get(open) ?? open]);
  }
  return out;
}

/** `({ mail, uid: id }) => ...`: each key is an attribute; anything fancier makes the set dynamic. */
function destructured(tokens: Token[], open: number, close: number, add: (n: string, p: boolean) => void, use: AttributeUse) {
  let depth = 0;
  let expectKey = true;
  for (let k = open + 1; k < close; k++) {
    const t = tokens[k];
    if (t.type === 'punct' && ['(', '[', '{'].includes(t.value)) depth++;
    else if (t.type === 'punct' && [')', ']', '}'].includes(t.value)) depth--;
    else if (depth === 0 && t.type === 'punct' && t.value === ',') expectKey = true;
    else if (depth === 0 && expectKey) {
      expectKey = false;
      if (t.type === 'name' && t.value !== '...') add(t.value, true);
      else if (t.type === 'string') add(t.value, true);
      else use.dynamic = true;
      if (t.type === 'name' && (t.value === 'all' || t.value === 'has')) use.dynamic = true;
    }
  }
}

/** Classifies every use of the entry parameter `param`. */
function scanUses(tokens: Token[], param: string, declared: Set<number>, add: (n: string, p: boolean) => void, use: AttributeUse) {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'name' || t.value !== param || declared.has(i)) continue;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (prev?.type === 'punct' && (prev.value === '.' || prev.value === '?.')) continue;
    if (prev?.type === 'name' && ['var', 'let', 'const'].includes(prev.value)) continue;
    if (next?.type === 'punct' && next.value === ':' && prev?.type === 'punct' && (prev.value === '{' || prev.value === ',')) continue;
    if (next?.type === 'punct' && (next.value === '.' || next.value === '?.')) {
      const prop = tokens[i + 2];
      if (prop?.type !== 'name') {
        use.dynamic = true;
        continue;
      }
      const called = tokens[i + 3]?.type === 'punct' && tokens[i + 3].value === '(';
      if (prop.value === 'all' || prop.value === 'has') {
        const arg = tokens[i + 4];
        const after = tokens[i + 5];
        const literal = arg && (arg.type === 'string' || (arg.type === 'template' && !arg.substitutions));
        if (called && literal && after?.type === 'punct' && (after.value === ',' || after.value === ')')) add(arg.value, false);
        else use.dynamic = true;
      } else if (prop.value !== 'dn') {
        if (called) use.dynamic = true;
        else add(prop.value, true);
      }
      continue;
    }
    if (next?.type === 'punct' && next.value === '[') {
      const key = tokens[i + 2];
      const close = tokens[i + 3];
      const literal = key && (key.type === 'string' || (key.type === 'template' && !key.substitutions));
      if (literal && close?.value === ']' && !(key.value === 'all' || key.value === 'has')) add(key.value, true);
      else if (!(literal && close?.value === ']' && key.value === 'dn')) use.dynamic = true;
      continue;
    }
    if (isBenign(tokens, i)) continue;
    use.dynamic = true;
  }
}

/** Tests of the entry itself (`!entry`, `entry && ...`, `if (entry)`) reveal no attributes. */
function isBenign(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (prev?.type === 'punct' && prev.value === '!') return true;
  if (prev?.type === 'name' && prev.value === 'typeof') return true;
  if (next?.type === 'punct' && ['===', '!==', '==', '!=', '&&', '?'].includes(next.value)) return true;
  const before = tokens[i - 2];
  return prev?.value === '(' && next?.value === ')' && before?.type === 'name' && (before.value === 'if' || before.value === 'while');
}
