/**
 * Planning in slices: each pass of the planner is a generator that stops every {@link SLICE} items
 * (an entry, a user), so that the planner can give the main thread's event loop a turn between
 * slices (the window, cancel and progress must not wait for a 300 ms plan; issue 10 asks for no
 * block over ~50 ms). Where the pass stops changes nothing in what it computes: {@link runAll} runs
 * a pass to its end at once (the rules' tests, bench:planner), {@link Pacer.run} with turns given
 * to the event loop, and both give the same result.
 */

/** A pass that stops now and then (yields nothing) and returns its result at the end. */
export type Steps<T> = Generator<void, T, void>;

/** Items between the points where a pass may stop (a power of two: `(i & SLICE_MASK) === SLICE_MASK`). */
export const SLICE = 1024;
/** `i & SLICE_MASK` is SLICE_MASK once every {@link SLICE} items. */
export const SLICE_MASK = SLICE - 1;

/** Runs a pass to its end without stopping. */
export function runAll<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** The next turn of the event loop (I/O callbacks, timers and IPC run before it). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs passes, giving the event loop a turn whenever `sliceMs` of work have gone since the last one
 * (checked where a pass stops). Default: 10 ms, so a block stays well under 50 ms even on a slow or
 * busy machine; 0 gives a turn at every stop (tests). Reads the clock only to decide when to pause.
 */
export class Pacer {
  private last = performance.now();
  /** Turns given so far. */
  turns = 0;

  constructor(
    private readonly sliceMs = 10,
    private readonly pause: () => Promise<void> = nextTurn,
  ) {}

  /** Runs `steps` to its end, pausing between slices. */
  async run<T>(steps: Steps<T>): Promise<T> {
    for (;;) {
      const r = steps.next();
      if (r.done) return r.value;
      await this.breathe();
    }
  }

  /** Gives the event loop a turn if the current slice has run its time. */
  async breathe(): Promise<void> {
    if (performance.now() - this.last < this.sliceMs) return;
    await this.pause();
    this.turns++;
    this.last = performance.now();
  }
}
