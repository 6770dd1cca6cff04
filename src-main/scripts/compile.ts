/**
 * Turning a script's text into a function inside the sandbox, with errors placed on the admin's
 * own text. A script is read first as a program run in its own function scope, whose last
 * expression statement gives the function (`entry => ...`, or helpers then `(function(entry) {...})`).
 * When that is not valid syntax (the usual `function(entry) {...}`) or it is a lone named
 * function declaration, it is read as ONE function expression: `(` + text + `\n)`, so positions on
 * its first line are shifted back by one column.
 */
import type { QuickJSHandle } from 'quickjs-emscripten';
import type { ScriptName } from '../../src-shared/domain/mapping';
import type { ScriptDiagnostic, ScriptErrorCode, ScriptErrorInfo, ScriptLimits } from '../../src-shared/domain/scripts';
import { emptyScriptMessage, expressionNotFunctionMessage, loadThrewMessage, memoryMessage, notFunctionMessage, stackMessage, syntaxMessage, timeoutMessage } from './messages';
import type { CallOutcome, Sandbox } from './sandbox';
import { startsWithFunctionKeyword, withoutTrailingSemicolons } from './script-ast';
import { containsFunction } from './used-attributes';

/** A compiled script, or why it cannot run. */
export type Compiled =
  | { ok: true; handle: QuickJSHandle; kind: 'expression' | 'program' }
  | { ok: false; error: ScriptErrorInfo; diagnostic: ScriptDiagnostic; sandboxDied?: boolean };

type Failure = Extract<CallOutcome<unknown>, { ok: false }>;

/** Cursor value marking "compiling", so the top-level code gets its own time budget. */
const COMPILING = -2;

/**
 * {@link compileScript}, tried once more when the time limit stopped the script's top-level code.
 * The limit is wall-clock time, so on a busy machine a thread that waited for a core can pass it
 * while loading a valid script (a check would then keep a "time limit" diagnostic on it until its
 * text changed). A script whose top level really runs that long is stopped again.
 */
export function compileOnceMore(sandbox: Sandbox, script: ScriptName, text: string, limits: ScriptLimits): Compiled {
  const first = compileScript(sandbox, script, text, limits);
  if (first.ok || first.error.code !== 'SCRIPT_TIMEOUT' || first.sandboxDied) return first;
  return compileScript(sandbox, script, text, limits);
}

/** Compiles one script in the sandbox. The returned handle is the caller's to dispose. */
export function compileScript(sandbox: Sandbox, script: ScriptName, text: string, limits: ScriptLimits): Compiled {
  if (text.trim() === '') return failure(script, text, 'SCRIPT_NOT_FUNCTION', emptyScriptMessage(script), 1, 1);
  // As a program first: `function helper(e) {...}\n(function(entry) {...})` would otherwise read as a call.
  sandbox.arm(limits.timeMs, limits.memoryBytes, limits.stackBytes);
  sandbox.setCursor(COMPILING);
  const asProgram = sandbox.evalProgram(text);
  if (asProgram.ok && sandbox.context.typeof(asProgram.value) === 'function') return { ok: true, handle: asProgram.value, kind: 'program' };
  if (!asProgram.ok && (asProgram.kind !== 'error' || asProgram.name !== 'SyntaxError')) return loadFailure(script, text, asProgram, '<input>', 0, limits);
  // A syntax error as a program (`function(entry) {...}`), or a lone named function declaration.
  if (asProgram.ok && !startsWithFunctionKeyword(text)) return functionOrFailure(sandbox, script, text, asProgram.value, 'program');
  sandbox.arm(limits.timeMs, limits.memoryBytes, limits.stackBytes);
  sandbox.setCursor(COMPILING - 1);
  const asExpression = sandbox.evalGlobal(`(${withoutTrailingSemicolons(text)}\n)`, script);
  if (asProgram.ok) {
    if (asExpression.ok && sandbox.context.typeof(asExpression.value) === 'function') {
      asProgram.value.dispose();
      return { ok: true, handle: asExpression.value, kind: 'expression' };
    }
    if (asExpression.ok) asExpression.value.dispose();
    return functionOrFailure(sandbox, script, text, asProgram.value, 'program');
  }
  if (asExpression.ok) return functionOrFailure(sandbox, script, text, asExpression.value, 'expression');
  if (asExpression.kind !== 'error' || asExpression.name !== 'SyntaxError') return loadFailure(script, text, asExpression, script, 1, limits);

  // Both readings are invalid: report the one that got further into the text.
  const e = placeError(text, asExpression.stack, script, 1) ?? { line: 1, column: 1 };
  const p = placeError(text, asProgram.stack, '<input>', 0) ?? { line: 1, column: 1 };
  const best = offsetOf(text, p.line, p.column) > offsetOf(text, e.line, e.column) ? { ...p, message: asProgram.message } : { ...e, message: asExpression.message };
  return failure(script, text, 'SCRIPT_SYNTAX', syntaxMessage(best.message), best.line, best.column);
}

function functionOrFailure(sandbox: Sandbox, script: ScriptName, text: string, handle: QuickJSHandle, kind: 'expression' | 'program'): Compiled {
  const type = sandbox.context.typeof(handle);
  if (type === 'function') return { ok: true, handle, kind };
  let what = type === 'undefined' ? 'undefined' : type === 'object' ? 'an object' : `a ${type}`;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    const value: unknown = sandbox.context.dump(handle);
    const shown = JSON.stringify(value) ?? String(value);
    what = `a ${type} (${shown.length > 40 ? `${shown.slice(0, 40)}\u2026` : shown})`;
  } else if (type === 'object' && sandbox.context.eq(handle, sandbox.context.null)) {
    what = 'null';
  }
  handle.dispose();
  return failure(script, text, 'SCRIPT_NOT_FUNCTION', notFunctionMessage(script, what), 1, 1);
}

function loadFailure(script: ScriptName, text: string, outcome: Failure, file: string, shift: number, limits: ScriptLimits): Compiled {
  const dead = outcome.kind === 'dead';
  let code: ScriptErrorCode = 'SCRIPT_THROWN';
  let message: string;
  if (outcome.kind === 'timeout') [code, message] = ['SCRIPT_TIMEOUT', timeoutMessage(script, limits, true)];
  else if (outcome.kind === 'memory' || isMemoryError(outcome)) [code, message] = ['SCRIPT_MEMORY', memoryMessage(script, limits)];
  else if (dead || (outcome.name === 'InternalError' && outcome.message === 'stack overflow')) [code, message] = ['SCRIPT_STACK', stackMessage(script, limits)];
  else if (!containsFunction(text)) {
    // `entry.employeeType == 'admin'` on its own: an expression where a function was expected.
    return failure(script, text, 'SCRIPT_NOT_FUNCTION', expressionNotFunctionMessage(script, `${outcome.name}: ${outcome.message}`), 1, 1);
  } else message = loadThrewMessage(script, outcome.name ? `${outcome.name}: ${outcome.message}` : outcome.message);
  const at = (code === 'SCRIPT_THROWN' ? placeError(text, outcome.stack, file, shift) : null) ?? { line: 1, column: 1 };
  const result = failure(script, text, code, message, at.line, at.column);
  return dead && !result.ok ? { ...result, sandboxDied: true } : result;
}

/**
 * The failure compileScript() gives when the script's top-level code hits the time or memory
 * limit: used when that stopped a script worker, so the script is not loaded again.
 */
export function limitFailure(script: ScriptName, text: string, kind: 'timeout' | 'memory', limits: ScriptLimits): Compiled {
  return kind === 'timeout'
    ? failure(script, text, 'SCRIPT_TIMEOUT', timeoutMessage(script, limits, true), 1, 1)
    : failure(script, text, 'SCRIPT_MEMORY', memoryMessage(script, limits), 1, 1);
}

/** Errors that mean "out of memory" whatever their JavaScript type. */
export function isMemoryError(e: { name: string; message: string }): boolean {
  if (e.name === 'InternalError') return e.message === 'out of memory' || e.message === 'string too long';
  return e.name === 'RangeError' && e.message === 'invalid string length';
}

function failure(script: ScriptName, text: string, code: ScriptErrorCode, message: string, line: number, column: number): Compiled {
  const from = offsetOf(text, line, column);
  const to = tokenEnd(text, from);
  return {
    ok: false,
    error: { script, code, message, line, column },
    diagnostic: { script, severity: 'error', message, line, column, from, to },
  };
}

/** Where in the admin's text an error stack points: the first frame in `file` (null when none). */
export function placeError(text: string, stack: string, file: string, lineOneShift: number): { line: number; column: number } | null {
  const escaped = file.replace(/[<>.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:^|[\\s(])${escaped}:(\\d+)(?::(\\d+))?`).exec(stack);
  if (!m) return null;
  let line = Number(m[1]);
  let column = m[2] ? Number(m[2]) : 1;
  if (line === 1) column = Math.max(1, column - lineOneShift);
  const lines = text.split(/\r\n|\r|\n/);
  if (line > lines.length) {
    line = lines.length;
    column = lines[lines.length - 1].length + 1;
  }
  return { line: Math.max(1, line), column: Math.max(1, Math.min(column, lines[line - 1].length + 1)) };
}

/** 0-based offset of a 1-based line and column. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const m = /\r\n|\r|\n/.exec(text.slice(offset));
    if (!m) break;
    offset += m.index + m[0].length;
  }
  return Math.min(text.length, offset + column - 1);
}

function tokenEnd(text: string, from: number): number {
  const m = /^[A-Za-z0-9_$]+/.exec(text.slice(from));
  return Math.min(text.length, from + (m ? m[0].length : 1));
}
