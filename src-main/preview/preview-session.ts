import type { EntrySource } from '../directory/entry-source';

/**
 * One preview pane's state: its entry source (connection, cursor, cached pages) and the key of
 * the connection inputs it was opened for. Calls run one at a time, in order.
 */
export class PreviewSession {
  /** Hash of the connection inputs the source was opened with. */
  key: string | null = null;
  source: EntrySource | null = null;
  lastUsed = Date.now();
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier call of this session has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.lastUsed = Date.now();
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the source (connection and caches). */
  async reset(): Promise<void> {
    const s = this.source;
    this.source = null;
    this.key = null;
    await s?.close();
  }
}
