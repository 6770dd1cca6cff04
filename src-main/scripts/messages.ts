/**
 * The wording of script errors shown to admins: each names the script, the limit that was hit
 * and what to do about it.
 */
import { SCRIPT_LIMIT_ENV } from './limits-from-env';
import { SCRIPT_LABELS, type ScriptName } from '../../src-shared/domain/script-names';
import type { ScriptLimits } from '../../src-shared/domain/scripts';
import { MAX_EFFECTIVE_STACK_BYTES } from './sandbox';

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/** The stack size actually applied for these limits. */
export function effectiveStackBytes(limits: ScriptLimits): number {
  return Math.min(limits.stackBytes, MAX_EFFECTIVE_STACK_BYTES);
}

/** Where the script time limit is set (src-main/scripts/limits-from-env.ts), for every timeout message. */
export const TIME_LIMIT_HINT = `raise the time limit with the ${SCRIPT_LIMIT_ENV.timeMs} environment variable (milliseconds, 10 to 60000) before starting the app or ldap-sync`;

/** A call ran past the time limit. `topLevel`: while loading the script rather than on an entry. */
export function timeoutMessage(script: ScriptName, limits: ScriptLimits, topLevel = false): string {
  const where = topLevel ? "'s top-level code" : '';
  return `The ${SCRIPT_LABELS[script]} script${where} ran longer than its ${limits.timeMs} ms time limit and was stopped; look for a loop that never ends, or ${TIME_LIMIT_HINT}.`;
}

/** A call grew the sandbox past the memory ceiling. */
export function memoryMessage(script: ScriptName, limits: ScriptLimits): string {
  return `The ${SCRIPT_LABELS[script]} script used more than the ${size(limits.memoryBytes)} memory limit and was stopped; look for a string or array that keeps growing.`;
}

/** A call recursed past the stack limit. */
export function stackMessage(script: ScriptName, limits: ScriptLimits): string {
  return `The ${SCRIPT_LABELS[script]} script went deeper than the ${size(effectiveStackBytes(limits))} stack limit and was stopped; look for a function that keeps calling itself.`;
}

/** Why a script is no longer run on the remaining entries. */
export function skippedMessage(script: ScriptName, limits: ScriptLimits, reason: { timeouts: number; memory: number }): string {
  const label = SCRIPT_LABELS[script];
  if (reason.memory > 0) {
    return `Not evaluated: the ${label} script exceeded its ${size(limits.memoryBytes)} memory limit on ${reason.memory === 1 ? 'an earlier entry' : `${reason.memory} entries`}; fix it first.`;
  }
  return `Not evaluated: the ${label} script exceeded its ${limits.timeMs} ms time limit on ${reason.timeouts} entries; fix it first.`;
}

/** The sandbox itself failed and could not be replaced in time. */
export function sandboxLostMessage(script: ScriptName): string {
  return `Not evaluated: the script sandbox stopped while running the ${SCRIPT_LABELS[script]} script and is being restarted; evaluate again.`;
}

/** The script's text is blank. */
export function emptyScriptMessage(script: ScriptName): string {
  return `The ${SCRIPT_LABELS[script]} script is empty; write a function such as function(entry) { return true; }`;
}

/** The script compiled but is not a function. */
export function notFunctionMessage(script: ScriptName, what: string): string {
  return `The ${SCRIPT_LABELS[script]} script evaluates to ${what}, not a function; write it as function(entry) { ... } or entry => ...`;
}

/** The script is an expression using `entry` outside any function (it failed when loaded). */
export function expressionNotFunctionMessage(script: ScriptName, failure: string): string {
  return `The ${SCRIPT_LABELS[script]} script is an expression, not a function (loading it failed: ${failure}); write it as function(entry) { return ...; }`;
}

/** A syntax error, with a hint for the most common mistake. */
export function syntaxMessage(message: string): string {
  const hint =
    message === 'function name expected'
      ? ' (an anonymous function must be the whole script; after other statements, wrap it in parentheses: (function(entry) { ... }))'
      : '';
  return `Syntax error: ${message}${hint}`;
}

/** An exception thrown while loading the script (its top-level code). */
export function loadThrewMessage(script: ScriptName, message: string): string {
  return `The ${SCRIPT_LABELS[script]} script threw while loading: ${message}`;
}
