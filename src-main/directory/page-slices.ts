/**
 * Processing a page of entries in slices on the main thread, with a turn of the event loop after
 * each slice, so that work of a few milliseconds per entry never blocks the window, cancel or
 * progress for long (issue 10's limit: about 50 ms).
 */

/** Entries per slice by default: ~10-20 ms of per-entry work on a busy 2-core machine. */
export const SLICE = 250;

/** A turn of the event loop (timers, I/O and IPC run). */
export const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Calls `fn` on consecutive slices of `items`, yielding to the event loop between slices. */
export async function inSlices<T>(items: readonly T[], fn: (slice: readonly T[]) => void, size = SLICE): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await nextTurn();
    fn(i === 0 && items.length <= size ? items : items.slice(i, i + size));
  }
}
