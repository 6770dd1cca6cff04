/**
 * A run's plan (its changes), stored in chunks: a row of sync_change_chunks holds up to
 * {@link CHUNK_SIZE} consecutive changes, written in one go or in turns while the run is running,
 * read back page by page for the plan view, streamed for exports, and with their apply data for an
 * approval. The runs themselves are in runs-repo.ts.
 *
 * A chunk (see 0010_plan_chunks.sql): its first change's seq, its size n, `actions` (one letter per
 * change, {@link LETTER}), `rows` (JSON: [userId, username, dn, from, to, reason] per change, one
 * after the other; a create's user id is never there) and `data` (JSON: each change's apply data,
 * or null; only for a plan applied later). 100k changes: ~0.3 -> ~0.07 s of CPU to write, 15 -> ~6 MB.
 */
import type Database from 'better-sqlite3';
import type { PlanChange, PlanFilter, PlanPage } from '../../src-shared/domain/sync';
import { SYNC_ACTIONS, type SyncAction } from '../../src-shared/domain/sync-actions';
import { getRun } from './runs-repo';
import { prepared } from './statement-cache';

/** A change as stored: the plan row plus what applying it needs (`data`). */
export interface StoredChange extends PlanChange {
  /** The user it changes (a create's is kept only with the apply data: its `id`). */
  userId: string | null;
  data: unknown;
}

/** Changes per chunk row at most. */
export const CHUNK_SIZE = 1000;

/** Values per change in a chunk's `rows`. */
const FIELDS = 6;

/** Each action's letter in a chunk's `actions` (fixed: stored, and written by 0010_plan_chunks.sql). */
const LETTER: Record<SyncAction, string> = { deactivate: 'd', reactivate: 'r', create: 'c', move: 'm', roles: 'o', update: 'u', dn: 'n', reused: 'x', error: 'e' };
const ACTION_OF_CODE: SyncAction[] = [];
for (const a of SYNC_ACTIONS) ACTION_OF_CODE[LETTER[a].charCodeAt(0)] = a;

/** A chunk as read back (`rows` and `data` only when asked for). */
interface Chunk {
  first: number;
  n: number;
  actions: string;
  rows?: string;
  data?: string | null;
}

function actionAt(chunk: Chunk, i: number): SyncAction {
  const a = ACTION_OF_CODE[chunk.actions.charCodeAt(i)];
  if (a === undefined) throw new Error(`plan chunk at seq ${chunk.first}: unknown action letter "${chunk.actions[i]}"`);
  return a;
}

/** Change i of a chunk whose rows are `values`, as the plan shows it. */
function planChangeAt(chunk: Chunk, values: readonly (string | null)[], i: number): PlanChange {
  const at = i * FIELDS;
  const action = actionAt(chunk, i);
  const c: PlanChange = { seq: chunk.first + i, username: values[at + 1], dn: values[at + 2], action };
  if (values[at + 3] !== null) c.from = values[at + 3]!;
  if (values[at + 4] !== null) c.to = values[at + 4]!;
  if (values[at + 5] !== null) c.reason = values[at + 5]!;
  // A reused username's row names its user: the plan view's Relink acts on them.
  if (action === 'reused' && values[at] !== null) c.userId = values[at];
  return c;
}

/** A chunk's rows, checked against its size. */
function valuesOf(chunk: Chunk): (string | null)[] {
  const values = JSON.parse(chunk.rows!) as (string | null)[];
  if (values.length !== chunk.n * FIELDS) throw new Error(`plan chunk at seq ${chunk.first}: ${values.length} values for ${chunk.n} changes`);
  return values;
}

/** Appends changes [from, to) of a list to a run's plan (consecutive in seq); `withData` keeps what applying them needs (a plan applied later). */
export function changeRangeWriter(db: Database.Database, runId: string) {
  const insert = prepared(db, `INSERT INTO sync_change_chunks (run_id, first_seq, n, actions, rows, data) VALUES (@run, @first, @n, @actions, @rows, @data)`);
  const params = { run: runId, first: 0, n: 0, actions: '', rows: '', data: null as string | null };
  return (changes: readonly StoredChange[], from: number, to: number, withData: boolean): void => {
    for (let start = from; start < to; start += CHUNK_SIZE) {
      const end = Math.min(to, start + CHUNK_SIZE);
      const first = changes[start].seq;
      const values: (string | null)[] = new Array((end - start) * FIELDS);
      const data: unknown[] | null = withData ? new Array(end - start) : null;
      let actions = '';
      for (let i = start, at = 0; i < end; i++, at += FIELDS) {
        const c = changes[i];
        if (c.seq !== first + i - start) throw new Error(`plan rows: change ${i} has seq ${c.seq}, not ${first + i - start}`);
        actions += LETTER[c.action];
        values[at] = c.action === 'create' ? null : c.userId;
        values[at + 1] = c.username;
        values[at + 2] = c.dn;
        values[at + 3] = c.from ?? null;
        values[at + 4] = c.to ?? null;
        values[at + 5] = c.reason ?? null;
        if (data) data[i - start] = c.data ?? null;
      }
      params.first = first;
      params.n = end - start;
      params.actions = actions;
      params.rows = JSON.stringify(values);
      params.data = data && data.some((d) => d !== null) ? JSON.stringify(data) : null;
      insert.run(params);
    }
  };
}

/** Stores a run's plan rows; `withData` keeps what applying needs (only a held plan is applied later). */
export function writeChanges(db: Database.Database, runId: string, changes: readonly StoredChange[], withData = false): void {
  changeRangeWriter(db, runId)(changes, 0, changes.length, withData);
}

/** Changes written per transaction by {@link writeChangesInTurns} (two chunks: a few ms of work). */
export const CHANGE_CHUNK = 2000;

/**
 * wal_autocheckpoint while {@link writeChangesInTurns} writes (16 KiB pages: 4 MiB). A checkpoint
 * runs in the commit that takes the WAL past that many pages: at SQLite's default of 1000 pages,
 * one chunk in eight carried ~30 ms of checkpoint (blocks of 35-60 ms at 100k rows); at 256 none
 * was over ~15 ms, for the same total.
 */
const CHUNKED_CHECKPOINT_PAGES = 256;

/**
 * Stores a run's plan rows as {@link writeChanges} does, in transactions of {@link CHANGE_CHUNK}
 * changes with `breathe` awaited between them, so the main thread's event loop is not held for the
 * whole plan (100k changes: ~0.15 s of CPU). Call while the run is still running and finish it after: a
 * run that ends otherwise must drop its rows ({@link deleteChanges}; recovery does it for a run whose
 * process died), so no run shows a partial plan once it has ended.
 */
export async function writeChangesInTurns(db: Database.Database, runId: string, changes: readonly StoredChange[], withData: boolean, breathe: () => Promise<void>): Promise<void> {
  const write = changeRangeWriter(db, runId);
  const chunk = db.transaction((from: number, to: number) => write(changes, from, to, withData));
  // 0 means checkpoints are off or deferred (checkpointAfterTransaction): left as it is.
  const pages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const smaller = changes.length > CHANGE_CHUNK && pages > CHUNKED_CHECKPOINT_PAGES;
  if (smaller) db.pragma(`wal_autocheckpoint = ${CHUNKED_CHECKPOINT_PAGES}`);
  try {
    for (let from = 0; from < changes.length; from += CHANGE_CHUNK) {
      chunk(from, Math.min(changes.length, from + CHANGE_CHUNK));
      await breathe();
    }
  } finally {
    if (smaller && db.open && db.pragma('wal_autocheckpoint', { simple: true }) === CHUNKED_CHECKPOINT_PAGES) db.pragma(`wal_autocheckpoint = ${pages}`);
  }
}

/** Drops a run's plan rows (a run that failed after writing some of them). */
export function deleteChanges(db: Database.Database, runId: string): void {
  prepared(db, `DELETE FROM sync_change_chunks WHERE run_id = @runId`).run({ runId });
}

const CHUNK_HEADS = `SELECT first_seq AS first, n, actions FROM sync_change_chunks WHERE run_id = @runId ORDER BY first_seq`;
/** A run's chunks with their rows; the queries below add a condition or the ordering. */
const CHUNKS_WITH_ROWS = `SELECT first_seq AS first, n, actions, rows FROM sync_change_chunks WHERE run_id = @runId`;
const CHUNK_ROWS = `${CHUNKS_WITH_ROWS} ORDER BY first_seq`;

/** How many of a chunk's changes have action letter `letter`. */
function countLetter(actions: string, letter: number): number {
  let n = 0;
  for (let i = 0; i < actions.length; i++) if (actions.charCodeAt(i) === letter) n++;
  return n;
}

/** A run's plan rows counted by action (absent: none). */
export type ChangeCounts = Partial<Record<SyncAction, number>>;

/** Counts changes by action. */
export function countChanges(changes: readonly { action: SyncAction }[]): ChangeCounts {
  const counts: ChangeCounts = {};
  // By runs of one action (a plan lists its creates, deactivations... together): a keyed update per
  // run instead of per change, which cost ~10-30 ms for 100k changes in a function that runs once.
  for (let i = 0; i < changes.length; ) {
    const action = changes[i].action;
    let end = i + 1;
    while (end < changes.length && changes[end].action === action) end++;
    counts[action] = (counts[action] ?? 0) + end - i;
    i = end;
  }
  return counts;
}

/**
 * Records a run's plan rows counted by action, for {@link planPage}. Call in the transaction that
 * ends the run (status no longer 'running'): its rows do not change after it (see 0009_plan_counts.sql).
 */
export function recordChangeCounts(db: Database.Database, runId: string, counts: ChangeCounts): void {
  const insert = prepared(db, `INSERT OR REPLACE INTO sync_change_counts (run_id, action, n) VALUES (@runId, @action, @n)`);
  for (const action of SYNC_ACTIONS) {
    const n = counts[action] ?? 0;
    if (n > 0) insert.run({ runId, action, n });
  }
}

/** A run's plan rows by action: recorded when the run ended, else (a running run) counted from its rows. */
function actionCounts(db: Database.Database, runId: string): Record<SyncAction, number> {
  const byAction = Object.fromEntries(SYNC_ACTIONS.map((a) => [a, 0])) as Record<SyncAction, number>;
  const rows = prepared(db, `SELECT action, n FROM sync_change_counts WHERE run_id = @runId`).all({ runId }) as { action: SyncAction; n: number }[];
  for (const r of rows) byAction[r.action] = r.n;
  if (rows.length === 0) {
    for (const chunk of prepared(db, CHUNK_HEADS).iterate({ runId }) as IterableIterator<Chunk>) {
      for (let i = 0; i < chunk.n; i++) byAction[actionAt(chunk, i)]++;
    }
  }
  return byAction;
}

/** `text` with its ASCII letters in lower case (what SQLite's lower() does: the search's and its prefilter's case rule). */
function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : text;
}

/**
 * A slice of a run's plan. `search` matches the username or DN anywhere, ASCII letters in any case;
 * without one, only the chunks holding the slice are decoded.
 */
export function planPage(db: Database.Database, q: { runId: string; filter: PlanFilter; search: string | null; offset: number; limit: number }): PlanPage {
  getRun(db, q.runId);
  const byAction = actionCounts(db, q.runId);
  const letter = q.filter === 'all' ? -1 : LETTER[q.filter].charCodeAt(0);
  const rows: PlanChange[] = [];
  const term = q.search?.trim().toLowerCase() ?? '';
  if (term === '') {
    // The counts give the total; the chunks' action letters say where the slice is.
    const total = q.filter === 'all' ? SYNC_ACTIONS.reduce((n, a) => n + byAction[a], 0) : byAction[q.filter];
    let skip = q.offset;
    for (const head of prepared(db, CHUNK_HEADS).all({ runId: q.runId }) as Chunk[]) {
      if (rows.length >= q.limit) break;
      const matches = letter < 0 ? head.n : countLetter(head.actions, letter);
      if (skip >= matches) {
        skip -= matches;
        continue;
      }
      const chunk = prepared(db, `${CHUNKS_WITH_ROWS} AND first_seq = @first`).get({ runId: q.runId, first: head.first }) as Chunk;
      const values = valuesOf(chunk);
      for (let i = 0; i < chunk.n && rows.length < q.limit; i++) {
        if (letter >= 0 && chunk.actions.charCodeAt(i) !== letter) continue;
        if (skip > 0) skip--;
        else rows.push(planChangeAt(chunk, values, i));
      }
    }
    return { total, offset: q.offset, rows, byAction };
  }
  // A chunk whose text holds the term (as JSON writes it) in no case of its ASCII letters has no
  // match: only the others are decoded. A term with other characters reads every chunk.
  const needle = JSON.stringify(term).slice(1, -1);
  const candidates = /^[\x20-\x7e]*$/.test(needle)
    ? prepared(db, `${CHUNKS_WITH_ROWS} AND instr(lower(rows), @needle) > 0 ORDER BY first_seq`).iterate({ runId: q.runId, needle })
    : prepared(db, CHUNK_ROWS).iterate({ runId: q.runId });
  let total = 0;
  for (const chunk of candidates as IterableIterator<Chunk>) {
    const values = valuesOf(chunk);
    for (let i = 0, at = 0; i < chunk.n; i++, at += FIELDS) {
      if (letter >= 0 && chunk.actions.charCodeAt(i) !== letter) continue;
      const username = values[at + 1];
      const dn = values[at + 2];
      if (!((username !== null && asciiLower(username).includes(term)) || (dn !== null && asciiLower(dn).includes(term)))) continue;
      if (total >= q.offset && rows.length < q.limit) rows.push(planChangeAt(chunk, values, i));
      total++;
    }
  }
  return { total, offset: q.offset, rows, byAction };
}

/** Every change of a run, in plan order (streamed, a chunk at a time). */
export function* runChanges(db: Database.Database, runId: string): IterableIterator<PlanChange> {
  for (const chunk of db.prepare(CHUNK_ROWS).iterate({ runId }) as IterableIterator<Chunk>) {
    const values = valuesOf(chunk);
    for (let i = 0; i < chunk.n; i++) yield planChangeAt(chunk, values, i);
  }
}

/** Every change of a run with its user and apply data, in plan order (for approving a held plan). */
export function storedChanges(db: Database.Database, runId: string): StoredChange[] {
  const out: StoredChange[] = [];
  const chunks = prepared(db, `SELECT first_seq AS first, n, actions, rows, data FROM sync_change_chunks WHERE run_id = @runId ORDER BY first_seq`).all({ runId }) as Chunk[];
  for (const chunk of chunks) {
    const values = valuesOf(chunk);
    const data = chunk.data ? (JSON.parse(chunk.data) as unknown[]) : null;
    if (data && data.length !== chunk.n) throw new Error(`plan chunk at seq ${chunk.first}: ${data.length} apply data for ${chunk.n} changes`);
    for (let i = 0; i < chunk.n; i++) {
      const c = planChangeAt(chunk, values, i);
      const d = data ? data[i] : null;
      // A create's user is the one its apply data creates (see changeRangeWriter).
      const userId = c.action === 'create' ? ((d as { id?: string } | null)?.id ?? null) : values[i * FIELDS];
      out.push({ ...c, userId, data: d });
    }
  }
  return out;
}

/** What applying a run's stored plan needs, in plan order: each change's action, user and apply data (an approval). */
export function storedApplyChanges(db: Database.Database, runId: string): { action: SyncAction; userId: string | null; data: unknown }[] {
  return storedChanges(db, runId).map((c) => ({ action: c.action, userId: c.userId, data: c.data }));
}

/**
 * Copies run `fromRunId`'s plan to run `toRunId` as {@link writeChanges} writes it (no apply
 * data, hence no create's user id), in SQLite: the plan an approval applies, for the run that applies it.
 */
export function copyChanges(db: Database.Database, fromRunId: string, toRunId: string): void {
  prepared(
    db,
    `INSERT INTO sync_change_chunks (run_id, first_seq, n, actions, rows, data)
    SELECT @toRunId, first_seq, n, actions, rows, NULL FROM sync_change_chunks WHERE run_id = @fromRunId`,
  ).run({ fromRunId, toRunId });
}

/** The users of a run's reused-username changes (by plan order), with the usernames the plan shows. */
export function reusedUsersOfRun(db: Database.Database, runId: string): { userId: string; username: string | null }[] {
  const out: { userId: string; username: string | null }[] = [];
  const x = LETTER.reused.charCodeAt(0);
  const chunks = prepared(db, `${CHUNKS_WITH_ROWS} AND instr(actions, '${LETTER.reused}') > 0 ORDER BY first_seq`).all({ runId }) as Chunk[];
  for (const chunk of chunks) {
    const values = valuesOf(chunk);
    for (let i = 0; i < chunk.n; i++) {
      const userId = values[i * FIELDS];
      if (chunk.actions.charCodeAt(i) === x && userId !== null) out.push({ userId, username: values[i * FIELDS + 1] });
    }
  }
  return out;
}
