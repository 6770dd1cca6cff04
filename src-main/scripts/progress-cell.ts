/**
 * A few shared words in which a script worker records what it is running and since when, so the
 * main thread's watchdog can tell which call to blame when it must terminate the worker (a native
 * built-in that ignores QuickJS's interrupt handler, a crash). Written by the worker only; read by
 * the runner with a sequence lock, so a torn record is never acted on.
 *
 * Host work (loading a batch, compiling a script) is marked exactly by the host before it starts.
 * Inside a pass the driver moves through entries without calling the host: the interrupt handler
 * records the entry it OBSERVES (so the culprit is at or after it), except in careful mode, where
 * the host runs one entry per call and marks each one EXACTLY before the call.
 */

/** What the worker is doing. */
export const PROGRESS = { idle: 0, host: 1, passObserved: 2, passExact: 3 } as const;
export type ProgressState = (typeof PROGRESS)[keyof typeof PROGRESS];

// Int32 words, then two Float64 words at byte 32.
const SEQ = 0;
const STATE = 1;
const SLOT = 2;
const BATCH = 3;
const INDEX = 4;
const COMPILE = 5;
const FROM = 6;
const SINCE = 4;
const BUDGET = 5;
/** Bytes of the shared buffer. */
export const PROGRESS_BYTES = 48;

/** One consistent reading of the cell. */
export interface ProgressRecord {
  state: ProgressState;
  /** Script slot of the pass (0 Active, 1 Org name, 2 Role name), -1 outside passes. */
  slot: number;
  /** First entry of the loaded batch (entry numbers are relative to the evaluate call). */
  batch: number;
  /** Entry within the batch (passes) or the cursor value (host work). */
  index: number;
  /** The entry within the batch where the current pass began. */
  from: number;
  /** Slot whose script is being compiled, else -1. */
  compiling: number;
  /** When the current step started, in ms since the epoch (performance.timeOrigin + now()). */
  since: number;
  /** Time this step may take before the in-sandbox limit stops it, in ms. */
  budgetMs: number;
}

const now = () => performance.timeOrigin + performance.now();

/** The worker's side: marks steps as they start. */
export class ProgressWriter {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.i32 = new Int32Array(buffer, 0, 8);
    this.f64 = new Float64Array(buffer, 0, 6);
  }

  private write(state: ProgressState, index: number, budgetMs: number, slot?: number, batch?: number, from?: number): void {
    Atomics.add(this.i32, SEQ, 1);
    this.i32[STATE] = state;
    this.i32[INDEX] = index;
    if (from !== undefined) this.i32[FROM] = from;
    if (slot !== undefined) this.i32[SLOT] = slot;
    if (batch !== undefined) this.i32[BATCH] = batch;
    this.f64[SINCE] = now();
    this.f64[BUDGET] = budgetMs;
    Atomics.add(this.i32, SEQ, 1);
  }

  /** Host work with the sandbox cursor at `cursor` starts now (exact); `batch`: on the batch starting there. */
  host(cursor: number, budgetMs: number, batch?: number): void {
    this.write(PROGRESS.host, cursor, budgetMs, -1, batch);
  }

  /** Marks which slot's script is being compiled (-1: none); the next host() step belongs to it. */
  compiling(slot: number): void {
    Atomics.add(this.i32, SEQ, 1);
    this.i32[COMPILE] = slot;
    Atomics.add(this.i32, SEQ, 1);
  }

  /** A pass of `slot` over the batch starting at `batch` starts at entry `index`; `exact` when it runs that entry alone. */
  pass(slot: number, batch: number, index: number, budgetMs: number, exact: boolean): void {
    this.write(exact ? PROGRESS.passExact : PROGRESS.passObserved, index, budgetMs, slot, batch, index);
  }

  /**
   * Called by the interrupt handler when it sees the driver's cursor on a new entry: the running
   * call is at or after that entry. Ignored outside passes and in careful mode (already exact).
   */
  observed(index: number): void {
    const state = this.i32[STATE];
    if (state !== PROGRESS.passObserved || index < 0 || index === this.i32[INDEX]) return;
    this.write(PROGRESS.passObserved, index, this.f64[BUDGET]);
  }

  /** No request is running. */
  idle(): void {
    this.write(PROGRESS.idle, -1, 0, -1, 0);
  }
}

/** The runner's side: a consistent snapshot, or null when the writer was mid-update. */
export function readProgress(buffer: SharedArrayBuffer): ProgressRecord | null {
  const i32 = new Int32Array(buffer, 0, 8);
  const f64 = new Float64Array(buffer, 0, 6);
  for (let attempt = 0; attempt < 4; attempt++) {
    const before = Atomics.load(i32, SEQ);
    if (before % 2 !== 0) continue;
    const record: ProgressRecord = {
      state: i32[STATE] as ProgressState,
      slot: i32[SLOT],
      batch: i32[BATCH],
      index: i32[INDEX],
      from: i32[FROM],
      compiling: i32[COMPILE],
      since: f64[SINCE],
      budgetMs: f64[BUDGET],
    };
    if (Atomics.load(i32, SEQ) === before) return record;
  }
  return null;
}

/** A fresh cell (idle, nothing compiling). */
export function newProgressBuffer(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(PROGRESS_BYTES);
  new Int32Array(buffer, 0, 8)[COMPILE] = -1;
  return buffer;
}

/** The current time on the cell's clock (shared by all threads). */
export const progressNow = now;
