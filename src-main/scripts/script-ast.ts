/**
 * A script's syntax tree, read the way the sandbox reads the script (see compile.ts): first as a
 * program whose completion value is the function (`entry => ...`, or helpers then
 * `(function(entry) {...})`), else as ONE function expression, `(` + text + `\n)`. Parsed with
 * acorn; a script that parses neither way has no tree (compile reports its syntax error).
 */
import { parse, tokenizer, type Node, type Options } from 'acorn';

/** An ESTree node as acorn builds it; fields are read by name. */
export type AstNode = Node & { [field: string]: unknown };

/** The function a script evaluates to, and the tree it sits in. */
export interface ScriptFunction {
  /** The whole tree (a Program). Offsets of the expression form are shifted by `shift`. */
  program: AstNode;
  /** The function node, or null when the completion value is not a function known statically. */
  fn: AstNode | null;
  /** Subtract from node offsets to get offsets in the admin's text (1 for the expression form). */
  shift: number;
}

const OPTIONS: Options = { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: false };

function tryParse(text: string): AstNode | null {
  try {
    return parse(text, OPTIONS) as unknown as AstNode;
  } catch {
    return null;
  }
}

/** True for function expressions, arrows and declarations. */
export function isFunction(n: unknown): boolean {
  const t = (n as AstNode | null)?.type;
  return t === 'FunctionExpression' || t === 'ArrowFunctionExpression' || t === 'FunctionDeclaration';
}

/** The child nodes of a node, in source order. */
export function children(n: AstNode): AstNode[] {
  const out: AstNode[] = [];
  for (const key in n) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
    const v = n[key];
    if (Array.isArray(v)) {
      for (const x of v) if (x && typeof (x as AstNode).type === 'string') out.push(x as AstNode);
    } else if (v && typeof (v as AstNode).type === 'string') out.push(v as AstNode);
  }
  return out.sort((a, b) => a.start - b.start);
}

const DECLARATIONS = new Set(['VariableDeclaration', 'FunctionDeclaration', 'ClassDeclaration', 'EmptyStatement']);

/**
 * The function a program evaluates to: its last expression statement (the last of a comma
 * sequence), or a top-level function that statement names. Null when a statement that may
 * produce a value follows it, or the value is anything else.
 */
function completionFunction(program: AstNode): AstNode | null {
  const body = program.body as AstNode[];
  let k = body.length - 1;
  while (k >= 0 && DECLARATIONS.has(body[k].type)) k--;
  if (k < 0 || body[k].type !== 'ExpressionStatement') return null;
  let value = body[k].expression as AstNode;
  while (value.type === 'SequenceExpression') value = (value.expressions as AstNode[]).at(-1)!;
  if (isFunction(value)) return value;
  if (value.type !== 'Identifier') return null;
  const name = value.name as string;
  for (const s of body) {
    if (s.type === 'FunctionDeclaration' && (s.id as AstNode).name === name) return s;
    if (s.type === 'VariableDeclaration') {
      for (const d of s.declarations as AstNode[]) {
        if ((d.id as AstNode).type === 'Identifier' && (d.id as AstNode).name === name && isFunction(d.init)) return d.init as AstNode;
      }
    }
  }
  return null;
}

/** `function(entry) {...};` is common: trailing semicolons are blanked (keeping every offset), comments or not. */
export function withoutTrailingSemicolons(text: string): string {
  const semicolons: number[] = [];
  try {
    for (const t of tokenizer(text, OPTIONS)) {
      if (t.type.label === ';') semicolons.push(t.start);
      else semicolons.length = 0;
    }
  } catch {
    return text;
  }
  let out = text;
  for (const at of semicolons) out = `${out.slice(0, at)} ${out.slice(at + 1)}`;
  return out;
}

/** True when the text's first token is `function` (or `async function`): compile reads a lone declaration as an expression. */
export function startsWithFunctionKeyword(text: string): boolean {
  const words: string[] = [];
  try {
    for (const t of tokenizer(text, OPTIONS)) {
      words.push(t.type.keyword ?? (t.type.label === 'name' ? String((t as { value?: unknown }).value) : t.type.label));
      if (words.length === 2) break;
    }
  } catch {
    // A token that does not read (an unterminated string...): the words before it decide.
  }
  return words[0] === 'function' || (words[0] === 'async' && words[1] === 'function');
}

/** The script's tree and function, or null when it parses neither as a program nor as a function expression. */
export function scriptFunction(text: string): ScriptFunction | null {
  return parseOnce(text);
}

/**
 * `compute` remembered by script text: a run and the preview's edits ask about the same few texts
 * several times, and parsing is the cost. A small cache, started over when full (texts being edited
 * come and go). Results are shared: read them, never modify them.
 */
export function cachedByText<T>(compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    if (cache.has(text)) return cache.get(text)!;
    const value = compute(text);
    if (cache.size >= 32) cache.clear();
    cache.set(text, value);
    return value;
  };
}

/** `function (` or `async function* (` at the start: an anonymous function, which no program can start with. */
const ANONYMOUS_FUNCTION = /^\s*(?:async\s+)?function\s*\*?\s*\(/;

const parseOnce = cachedByText(parseScriptFunction);

function parseScriptFunction(text: string): ScriptFunction | null {
  // The usual script (`function(entry) {...}`) is never a program: straight to the expression form,
  // without a parse that fails (acorn's errors cost more than its parses).
  const program = ANONYMOUS_FUNCTION.test(text) ? null : tryParse(text);
  if (program) {
    const fn = completionFunction(program);
    if (fn) return { program, fn, shift: 0 };
    const first = (program.body as AstNode[])[0];
    // A lone `function name(entry) {...}` evaluates to nothing as a program: compile reads it as an expression.
    if (!(first?.type === 'FunctionDeclaration' && first.start === text.length - text.trimStart().length)) return { program, fn: null, shift: 0 };
  }
  const expression = tryParse(`(${withoutTrailingSemicolons(text)}\n)`);
  if (!expression) return program ? { program, fn: null, shift: 0 } : null;
  const body = expression.body as AstNode[];
  const value = body.length === 1 && body[0].type === 'ExpressionStatement' ? (body[0].expression as AstNode) : null;
  return { program: expression, fn: value && isFunction(value) ? value : null, shift: 1 };
}

/** True when the text contains a function expression or declaration anywhere. */
export function containsFunction(text: string): boolean {
  const parsed = scriptFunction(text);
  if (!parsed) return /=>|\bfunction\b/.test(text);
  const todo = [parsed.program];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (isFunction(n)) return true;
    todo.push(...children(n));
  }
  return false;
}

/** Offset in the text where the function the script evaluates to starts (0 when unknown). */
export function mainFunctionOffset(text: string): number {
  const parsed = scriptFunction(text);
  if (!parsed?.fn) return text.length - text.trimStart().length;
  return Math.max(0, parsed.fn.start - parsed.shift);
}
