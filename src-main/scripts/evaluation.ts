/**
 * One evaluation: entries go into the sandbox in batches; each present script runs over a batch
 * in one pass; a call stopped by a limit is recorded on its own entry and the pass resumes from
 * the next entry. A script that keeps hitting limits is skipped for the rest of the evaluation.
 */
import { SCRIPT_NAMES, type ScriptName } from '../../src-shared/domain/script-names';
import type { ScriptErrorCode, ScriptErrorInfo, ScriptLimits, ScriptLog } from '../../src-shared/domain/scripts';
import { isMemoryError, placeError } from './compile';
import { memoryMessage, sandboxLostMessage, skippedMessage, stackMessage, timeoutMessage } from './messages';
import type { ProgressWriter } from './progress-cell';
import { HOST_PHASE, type Sandbox } from './sandbox';
import { mainFunctionOffset } from './used-attributes';
import { resultEnds, RoleNameCache, type PackedBatch } from './wire';
import { WIRE } from './driver-source';

/** The result for one entry. */
export interface ScriptOutcome {
  active: boolean | null;
  org: string | null;
  /** Shared between entries with the same answer, and frozen: read it, never modify it. */
  roles: string[];
  /** Shared and frozen when empty (the usual case): read it, never modify it. */
  errors: readonly ScriptErrorInfo[];
  /** Shared and frozen when empty (the usual case): read it, never modify it. */
  logs: readonly ScriptLog[];
}

// A sync evaluates 100k entries and almost none has an error or a log line: one shared empty
// array each instead of two fresh arrays per entry; an entry gets its own on its first item.
/** The shared empty `errors` of an outcome. */
export const NO_ERRORS: readonly ScriptErrorInfo[] = Object.freeze([]);
/** The shared empty `logs` of an outcome. */
export const NO_LOGS: readonly ScriptLog[] = Object.freeze([]);
/** The shared empty `roles`; typed mutable only because consumers pass `roles` on as `string[]`; frozen, so a write throws. */
export const NO_ROLES = Object.freeze([]) as unknown as string[];

const ERROR_CODE = WIRE.error.charCodeAt(0);
const SKIP_CODE = WIRE.skip.charCodeAt(0);
const ONE_CODE = '1'.charCodeAt(0);

function addError(o: ScriptOutcome, e: ScriptErrorInfo): void {
  if (o.errors === NO_ERRORS) o.errors = [e];
  else (o.errors as ScriptErrorInfo[]).push(e);
}

function addLog(o: ScriptOutcome, l: ScriptLog): void {
  if (o.logs === NO_LOGS) o.logs = [l];
  else (o.logs as ScriptLog[]).push(l);
}

/** One script slot as prepared for an evaluation. */
export interface Slot {
  name: ScriptName;
  text: string;
  /** Compiled and installed in the driver. */
  runnable: boolean;
  kind: 'expression' | 'program';
  /** Why it cannot run (given to every entry). */
  error?: ScriptErrorInfo;
}

/**
 * What a script worker learnt from workers it lost while evaluating the same entries (see
 * script-runner.ts): the evaluation is replayed with these facts, so it ends as the in-sandbox
 * limits would have ended it.
 */
export interface EvaluationHints {
  /** [entry, slot, code]: calls that stopped their worker; recorded without running them again. */
  forced?: ReadonlyArray<readonly [number, number, 'SCRIPT_TIMEOUT' | 'SCRIPT_MEMORY']>;
  /** [slot, entry]: from this entry to the end of its batch, run the slot one entry per call, each marked exactly. */
  careful?: ReadonlyArray<readonly [number, number]>;
  /** [slot, kind]: loading this slot's script stopped its worker. */
  loadFailed?: ReadonlyArray<readonly [number, 'timeout' | 'memory']>;
  /** Entries from this one on are not evaluated: host work of the sandbox was lost there. */
  lostFrom?: number;
}

/** What an evaluation needs from the engine. */
export interface RunContext {
  /** Number of entries. */
  count: number;
  /** Entries [start, end) packed for the sandbox; `start` is a multiple of BATCH_SIZE. */
  batch: (start: number, end: number) => PackedBatch;
  /** The entry's dn, for console lines. */
  dn: (entry: number) => string;
  limits: ScriptLimits;
  slots: Slot[];
  sandbox: () => Sandbox;
  /** Replaces a dead sandbox by a fresh one with everything installed again; false when none is ready. */
  recover: () => boolean;
  hints?: EvaluationHints;
  /** Set in a script worker: the watchdog's view of what runs. */
  progress?: ProgressWriter | null;
}

/** Entries per batch string. */
export const BATCH_SIZE = 1000;
/** Timeouts of one script after which it is skipped for the rest of the evaluation. */
export const TIMEOUTS_BEFORE_SKIP = 3;
/** Memory blow-ups of one script after which it is skipped (each one is expensive). */
export const MEMORY_ERRORS_BEFORE_SKIP = 1;

/** Runs the slots over the entries; never throws for script problems. */
export function runEvaluation(rc: RunContext): { outcomes: ScriptOutcome[]; passMs: number[] } {
  const outcomes: ScriptOutcome[] = new Array(rc.count);
  for (let e = 0; e < rc.count; e++) outcomes[e] = { active: null, org: null, roles: NO_ROLES, errors: NO_ERRORS, logs: NO_LOGS };
  const hints = rc.hints ?? {};
  /** Per slot, the forced calls' entries in order; per entry * 3 + slot, their code. */
  const forcedCode = new Map<number, ScriptErrorCode>();
  const forcedEntries: number[][] = [[], [], []];
  for (const [e, s, code] of hints.forced ?? []) {
    forcedCode.set(e * 3 + s, code);
    forcedEntries[s].push(e);
  }
  for (const list of forcedEntries) list.sort((a, b) => a - b);
  /** Per batch number * 3 + slot: the first entry run carefully. */
  const carefulFrom = new Map<number, number>();
  for (const [s, e] of hints.careful ?? []) {
    const key = Math.floor(e / BATCH_SIZE) * 3 + s;
    carefulFrom.set(key, Math.min(e, carefulFrom.get(key) ?? e));
  }
  const roleCache = new RoleNameCache();
  const passMs = [0, 0, 0];
  const strikes = rc.slots.map(() => ({ timeouts: 0, memory: 0 }));
  /** Per slot, per entry: 1 once the entry has a result or an error for that slot. */
  const done = rc.slots.map(() => new Uint8Array(rc.count));
  const positions: Array<{ line: number; column: number }> = [];
  /** Where a wrong return type is reported: the start of the script's function. */
  const returnPosition = (s: number) => {
    if (!positions[s]) {
      const text = rc.slots[s].text;
      const before = text.slice(0, mainFunctionOffset(text)).split(/\r\n|\r|\n/);
      positions[s] = { line: before.length, column: before[before.length - 1].length + 1 };
    }
    return positions[s];
  };
  for (const slot of rc.slots) if (slot.error) for (const o of outcomes) addError(o, slot.error);

  const fail = (entry: number, s: number, code: ScriptErrorCode, message: string, at?: { line: number; column: number } | null) => {
    done[s][entry] = 1;
    addError(outcomes[entry], { script: rc.slots[s].name, code, message, ...(at ? { line: at.line, column: at.column } : {}) });
  };
  /** A read of an attribute that was not fetched: the attribute travels with the error (the preview fetches it). */
  const unfetched = (entry: number, s: number, message: string, attribute: string) => {
    done[s][entry] = 1;
    addError(outcomes[entry], { script: rc.slots[s].name, code: 'SCRIPT_UNFETCHED_ATTRIBUTE', message, attribute });
  };
  const skipped = (s: number) => strikes[s].timeouts >= TIMEOUTS_BEFORE_SKIP || strikes[s].memory >= MEMORY_ERRORS_BEFORE_SKIP;

  const applyExtras = (start: number) => {
    const sb = rc.sandbox();
    sb.setCursor(HOST_PHASE);
    const r = sb.callDriver('extras', []);
    if (!r.ok || typeof r.value !== 'string' || r.value === '') return;
    const extras = JSON.parse(r.value) as { errors: Array<[number, number, ScriptErrorCode, string, string, string]>; logs: Array<[number, number, string]> };
    for (const [i, s, code, message, stack, attribute] of extras.errors) {
      const slot = rc.slots[s];
      if (code === 'SCRIPT_STACK') fail(start + i, s, code, stackMessage(slot.name, rc.limits));
      else if (code === 'SCRIPT_UNFETCHED_ATTRIBUTE') unfetched(start + i, s, message, attribute);
      else if (code === 'SCRIPT_RETURN_TYPE') fail(start + i, s, code, message, returnPosition(s));
      else fail(start + i, s, code, message, stack ? placeError(slot.text, stack, slot.kind === 'expression' ? slot.name : '<input>', slot.kind === 'expression' ? 1 : 0) : null);
    }
    for (const [i, s, text] of extras.logs) {
      const entry = start + i;
      if (i >= 0 && entry < outcomes.length) addLog(outcomes[entry], { script: SCRIPT_NAMES[s], dn: rc.dn(entry), text });
    }
  };

  const load = (start: number, end: number): boolean => {
    const { text, json, multi } = rc.batch(start, end);
    const sb = rc.sandbox();
    sb.arm(rc.limits.timeMs, rc.limits.memoryBytes, rc.limits.stackBytes);
    sb.setCursor(HOST_PHASE);
    rc.progress?.host(HOST_PHASE, sb.budgetMs(HOST_PHASE), start);
    return sb.callDriver('load', [text, end - start, json, multi]).ok;
  };

  /**
   * Applies one pass's result text (`count` fields) to the entries from `first` on. Fields are
   * read in place: one character for Active and for error / skip markers, a slice for Org name,
   * and a shared array per distinct Role name answer.
   */
  const decode = (s: number, first: number, text: string, count: number) => {
    const ends = resultEnds(text, count);
    if (!ends) throw new Error(`script sandbox returned ${text.split(WIRE.field).length} results for ${count} entries`);
    const name = rc.slots[s].name;
    const doneS = done[s];
    for (let i = 0, start = 0; i < count; start = ends[i] + 1, i++) {
      const end = ends[i];
      const e = first + i;
      const code = end - start === 1 ? text.charCodeAt(start) : -1;
      // An error's details arrive through extras().
      if (code === ERROR_CODE) continue;
      if (code === SKIP_CODE) {
        fail(e, s, 'SCRIPT_SKIPPED', skippedMessage(name, rc.limits, strikes[s]));
        continue;
      }
      doneS[e] = 1;
      const o = outcomes[e];
      if (name === 'active') o.active = code === ONE_CODE;
      else if (name === 'orgName') o.org = end === start ? null : text.slice(start, end);
      else o.roles = end === start ? NO_ROLES : roleCache.get(text.slice(start, end));
    }
  };

  /** After a stopped pass: keeps the results it had for entries [from, upTo); false when they are lost. */
  const salvage = (s: number, start: number, from: number, upTo: number): boolean => {
    if (upTo <= from) return true;
    const sb = rc.sandbox();
    sb.arm(rc.limits.timeMs, rc.limits.memoryBytes, rc.limits.stackBytes);
    sb.setCursor(HOST_PHASE);
    const r = sb.callDriver('partial', [upTo]);
    if (!r.ok || typeof r.value !== 'string') return false;
    decode(s, start + from, r.value, upTo - from);
    return true;
  };

  /** Runs script s over batch entries [from, until) of the batch at `start`; the sandbox's answer. */
  const run = (s: number, start: number, from: number, until: number, exact = false) => {
    const sb = rc.sandbox();
    sb.arm(rc.limits.timeMs, rc.limits.memoryBytes, rc.limits.stackBytes);
    rc.progress?.pass(s, start, from, rc.limits.timeMs, exact);
    // The mark stays until the next host step: a worker that dies while taking in the pass's
    // result (a huge answer) is blamed on this pass.
    return sb.callDriver('pass', [s, from, until, skipped(s)]);
  };

  /** Where the next run of slot s from batch entry `from` must stop: before a forced call, or after one entry in careful mode. */
  const segmentEnd = (s: number, start: number, from: number, count: number): { until: number; exact: boolean } => {
    const careful = carefulFrom.get((start / BATCH_SIZE) * 3 + s) ?? Infinity;
    if (start + from >= careful) return { until: from + 1, exact: true };
    let until = Math.min(count, careful - start);
    // A skipped script runs nothing, so a forced call needs no stop of its own.
    if (!skipped(s)) for (const e of forcedEntries[s]) {
      if (e >= start + from) {
        until = Math.min(until, e - start);
        break;
      }
    }
    return { until, exact: false };
  };

  /**
   * One script over one loaded batch. A call stopped by a limit is recorded on its entry, the
   * pass's earlier results are kept, and the pass resumes at the next entry (in a fresh sandbox
   * when this one died or filled its memory). False when the sandbox was lost for good.
   */
  const pass = (s: number, start: number, end: number): boolean => {
    const count = end - start;
    const name = rc.slots[s].name;
    for (let from = 0; from < count; ) {
      const forced = forcedCode.size > 0 && !skipped(s) ? forcedCode.get((start + from) * 3 + s) : undefined;
      if (forced !== undefined) {
        if (forced === 'SCRIPT_TIMEOUT') strikes[s].timeouts++;
        else strikes[s].memory++;
        fail(start + from, s, forced, forced === 'SCRIPT_TIMEOUT' ? timeoutMessage(name, rc.limits) : memoryMessage(name, rc.limits));
        from++;
        continue;
      }
      const { until, exact } = segmentEnd(s, start, from, count);
      const r = run(s, start, from, until, exact);
      if (r.ok && typeof r.value === 'string') {
        decode(s, start + from, r.value, until - from);
        applyExtras(start);
        from = until;
        continue;
      }
      const sb = rc.sandbox();
      let i = sb.cursor();
      if (i < from || i >= until) i = from;
      const [code, message] = classify(name, r.ok ? caughtLimit(r.value, sb) : r, sb);
      if (code === 'SCRIPT_TIMEOUT') strikes[s].timeouts++;
      if (code === 'SCRIPT_MEMORY') strikes[s].memory++;
      fail(start + i, s, code, message);
      const dead = sb.dead;
      if (!dead && !salvage(s, start, from, i)) for (let e = from; e < i; e++) markOne(start + e, s);
      if (!dead) applyExtras(start);
      if (dead || (code === 'SCRIPT_MEMORY' && sb.memoryBytes() > rc.limits.memoryBytes / 2)) {
        // Continue in a fresh sandbox; a full but living one is kept when no spare is ready.
        if (rc.recover()) {
          if (!load(start, end)) return false;
          if (dead) redo(s, start, from, i);
        } else if (dead) return false;
      }
      from = i + 1;
    }
    return true;
  };

  /** Re-runs entries [from, upTo) whose results died with a sandbox (they had completed before). */
  const redo = (s: number, start: number, from: number, upTo: number) => {
    if (upTo <= from) return;
    const r = run(s, start, from, upTo);
    if (r.ok && typeof r.value === 'string') decode(s, start + from, r.value, upTo - from);
    if (!rc.sandbox().dead) applyExtras(start);
    for (let e = from; e < upTo; e++) markOne(start + e, s);
  };

  /** What a limit error caught by the driver (see limitKind in the driver) means. */
  function caughtLimit(kind: string | number | null, sb: Sandbox): { kind: string; name: string; message: string } {
    if (kind === 2) return { kind: sb.lastReason() ?? 'timeout', name: '', message: '' };
    // QuickJS throws null when it cannot allocate the error itself; a script may also throw null.
    if (kind === 3 && sb.memoryBytes() <= rc.limits.memoryBytes / 2) return { kind: 'error', name: '', message: 'threw null' };
    return { kind: 'memory', name: '', message: '' };
  }

  /** The row error for a call that did not complete. */
  function classify(name: ScriptName, r: { kind: string; name: string; message: string }, sb: Sandbox): [ScriptErrorCode, string] {
    if (r.kind === 'timeout') return ['SCRIPT_TIMEOUT', timeoutMessage(name, rc.limits)];
    if (r.kind === 'memory' || isMemoryError(r) || sb.memoryBytes() >= rc.limits.memoryBytes) return ['SCRIPT_MEMORY', memoryMessage(name, rc.limits)];
    if (r.kind === 'dead' || r.message === 'stack overflow') return ['SCRIPT_STACK', stackMessage(name, rc.limits)];
    return ['SCRIPT_THROWN', r.name ? `${r.name}: ${r.message}` : r.message];
  }

  const anyRunnable = rc.slots.some((slot) => slot.runnable);
  batches: for (let start = 0; anyRunnable && start < rc.count; start += BATCH_SIZE) {
    const end = Math.min(rc.count, start + BATCH_SIZE);
    if (hints.lostFrom !== undefined && end > hints.lostFrom) {
      markLost(start, 0, start);
      break;
    }
    if (!load(start, end) && !(rc.sandbox().dead && rc.recover() && load(start, end))) {
      markLost(start, 0, start);
      break;
    }
    for (let s = 0; s < rc.slots.length; s++) {
      if (!rc.slots[s].runnable) continue;
      const t = performance.now();
      const ok = pass(s, start, end);
      passMs[s] += performance.now() - t;
      if (!ok) {
        markLost(start, s, end);
        break batches;
      }
    }
  }
  return { outcomes, passMs };

  /** Marks slot s of entry e as not evaluated because the sandbox was lost (unless it is done). */
  function markOne(e: number, s: number) {
    if (rc.slots[s].runnable && !done[s][e]) fail(e, s, 'SCRIPT_SKIPPED', sandboxLostMessage(rc.slots[s].name));
  }

  /** Marks everything not done from entry `start` on: slots >= fromSlot before `end`, all slots after. */
  function markLost(start: number, fromSlot: number, end: number) {
    for (let e = start; e < outcomes.length; e++) for (let s = e < end ? fromSlot : 0; s < rc.slots.length; s++) markOne(e, s);
  }
}
