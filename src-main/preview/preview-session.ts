import type { EntrySource } from '../directory/entry-source';
import type { GroupsOf } from '../scripts/wire';

/**
 * One preview pane's state: its entry source (connection, cursor, cached pages) and the key of
 * the connection inputs it was opened for. Calls run one at a time, in order.
 */
export class PreviewSession {
  /** Hash of the connection inputs the source was opened with. */
  key: string | null = null;
  source: EntrySource | null = null;
  /** The group memberships read for the source of `key` (scripts using the `groups` helpers), read once per source. */
  groups: { key: string; of: Promise<GroupsOf> } | null = null;
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
    this.groups = null;
    await s?.close();
  }
}
