/**
 * A run's plan rows (sync_changes): written in one go or in chunks while the run is running, read
 * back page by page for the plan view, streamed for exports, and with their apply data for an
 * approval. The runs themselves are in runs-repo.ts.
 */
import type Database from 'better-sqlite3';
import type { PlanChange, PlanFilter, PlanPage } from '../../src-shared/domain/sync';
import { SYNC_ACTIONS, type SyncAction } from '../../src-shared/domain/sync-actions';
import { getRun } from './runs-repo';
import { prepared } from './statement-cache';

/** A change as stored: the plan row plus what applying it needs (`data`). */
export interface StoredChange extends PlanChange {
  /** The user it changes (a create's is stored only with the apply data, see changeValues). */
  userId: string | null;
  data: unknown;
}

const CHANGE_INSERT = `INSERT INTO sync_changes (run_id, seq, user_id, username, dn, action, from_text, to_text, reason, data_json) VALUES `;
/** The values of a change besides its run id, in column order. */
const CHANGE_FIELDS = 9;
/**
 * Rows per statement of {@link changeRangeWriter}: one INSERT of 100 rows, with the run id bound
 * once, costs ~25% less per row than 100 single-row ones (100k plan rows ~230 -> ~180 ms); 901
 * parameters, far below SQLite's limit.
 */
const ROWS_PER_INSERT = 100;

/** A change's values besides its run id, in column order, written at `at` of `out`. */
function changeValues(out: unknown[], at: number, c: StoredChange, withData: boolean): void {
  out[at] = c.seq;
  // A create's user id is only a planned one (a simulation's names no user, a sync's user is found by
  // its username): kept only with the apply data of a held plan. Without its random 36 characters a
  // create row costs ~25% less to write, and a first sync's 100k of them 20 -> 16 MB. (copyChanges too.)
  out[at + 1] = withData || c.action !== 'create' ? c.userId : null;
  out[at + 2] = c.username;
  out[at + 3] = c.dn;
  out[at + 4] = c.action;
  out[at + 5] = c.from ?? null;
  out[at + 6] = c.to ?? null;
  out[at + 7] = c.reason ?? null;
  out[at + 8] = withData && c.data !== undefined && c.data !== null ? JSON.stringify(c.data) : null;
}

const ROW = `(@run, ${new Array(CHANGE_FIELDS).fill('?').join(', ')})`;

/** A statement that appends changes to a run's plan. */
export function changeWriter(db: Database.Database, runId: string) {
  const insert = prepared(db, CHANGE_INSERT + ROW);
  const values: unknown[] = new Array(CHANGE_FIELDS);
  const shared = { run: runId };
  /** Appends one change; `withData` keeps what applying it needs (for plans applied later). */
  return (c: StoredChange, withData = true) => {
    changeValues(values, 0, c, withData);
    return insert.run(values, shared);
  };
}

/** Appends changes [from, to) of a list to a run's plan, {@link ROWS_PER_INSERT} rows per statement (as {@link changeWriter} would). */
export function changeRangeWriter(db: Database.Database, runId: string) {
  const one = changeWriter(db, runId);
  const many = prepared(db, CHANGE_INSERT + new Array(ROWS_PER_INSERT).fill(ROW).join(', '));
  const values: unknown[] = new Array(ROWS_PER_INSERT * CHANGE_FIELDS);
  const shared = { run: runId };
  return (changes: readonly StoredChange[], from: number, to: number, withData: boolean): void => {
    let i = from;
    for (; i + ROWS_PER_INSERT <= to; i += ROWS_PER_INSERT) {
      for (let j = 0; j < ROWS_PER_INSERT; j++) changeValues(values, j * CHANGE_FIELDS, changes[i + j], withData);
      many.run(values, shared);
    }
    for (; i < to; i++) one(changes[i], withData);
  };
}

/** Stores a run's plan rows; `withData` keeps what applying needs (only a held plan is applied later). */
export function writeChanges(db: Database.Database, runId: string, changes: readonly StoredChange[], withData = false): void {
  changeRangeWriter(db, runId)(changes, 0, changes.length, withData);
}

/** Plan rows written per transaction by {@link writeChangesInTurns} (a few ms of work). */
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
 * rows with `breathe` awaited between them, so the main thread's event loop is not held for the
 * whole plan (100k rows: ~150-250 ms). Call while the run is still running and finish it after: a
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
  prepared(db, `DELETE FROM sync_changes WHERE run_id = @runId`).run({ runId });
}

type RawChange = { seq: number; userId: string | null; username: string | null; dn: string | null; action: SyncAction; from: string | null; to: string | null; reason: string | null; data: string | null };
const CHANGE_COLUMNS = `seq, user_id AS userId, username, dn, action, from_text AS "from", to_text AS "to", reason, data_json AS data`;

function toPlanChange(r: RawChange): PlanChange {
  const c: PlanChange = { seq: r.seq, username: r.username, dn: r.dn, action: r.action };
  if (r.from !== null) c.from = r.from;
  if (r.to !== null) c.to = r.to;
  if (r.reason !== null) c.reason = r.reason;
  // A reused username's row names its user: the plan view's Relink acts on them.
  if (r.action === 'reused' && r.userId !== null) c.userId = r.userId;
  return c;
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
  let rows = prepared(db, `SELECT action, n FROM sync_change_counts WHERE run_id = @runId`).all({ runId }) as { action: SyncAction; n: number }[];
  if (rows.length === 0) rows = prepared(db, `SELECT action, COUNT(*) AS n FROM sync_changes WHERE run_id = @runId GROUP BY action`).all({ runId }) as { action: SyncAction; n: number }[];
  for (const r of rows) byAction[r.action] = r.n;
  return byAction;
}

/** A slice of a run's plan. */
export function planPage(db: Database.Database, q: { runId: string; filter: PlanFilter; search: string | null; offset: number; limit: number }): PlanPage {
  getRun(db, q.runId);
  const byAction = actionCounts(db, q.runId);
  const where = ['run_id = @runId'];
  const params: Record<string, unknown> = { runId: q.runId, limit: q.limit, offset: q.offset };
  if (q.filter !== 'all') {
    where.push('action = @action');
    params.action = q.filter;
  }
  const term = q.search?.trim().toLowerCase() ?? '';
  const search = term !== '';
  if (search) {
    where.push(`(lower(username) LIKE @p ESCAPE '\\' OR lower(dn) LIKE @p ESCAPE '\\')`);
    params.p = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const clause = where.join(' AND ');
  // Without a search the counts give the total: no pass over the run's rows.
  const total = search
    ? (prepared(db, `SELECT COUNT(*) AS n FROM sync_changes WHERE ${clause}`).get(params) as { n: number }).n
    : q.filter === 'all'
      ? SYNC_ACTIONS.reduce((n, a) => n + byAction[a], 0)
      : byAction[q.filter];
  const rows = (prepared(db, `SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE ${clause} ORDER BY seq LIMIT @limit OFFSET @offset`).all(params) as RawChange[]).map(toPlanChange);
  return { total, offset: q.offset, rows, byAction };
}

/** Every change of a run, in plan order (streamed). */
export function* runChanges(db: Database.Database, runId: string): IterableIterator<PlanChange> {
  for (const r of db.prepare(`SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE run_id = @runId ORDER BY seq`).iterate({ runId }) as IterableIterator<RawChange>) {
    yield toPlanChange(r);
  }
}

/** What applying a run's stored plan needs, in plan order: each change's action, user and apply data (an approval). */
export function storedApplyChanges(db: Database.Database, runId: string): { action: SyncAction; userId: string | null; data: unknown }[] {
  const rows = prepared(db, `SELECT action, user_id AS userId, data_json AS data FROM sync_changes WHERE run_id = @runId ORDER BY seq`).all({ runId }) as { action: SyncAction; userId: string | null; data: string | null }[];
  return rows.map((r) => ({ action: r.action, userId: r.userId, data: r.data === null ? null : JSON.parse(r.data) }));
}

/**
 * Copies run `fromRunId`'s plan rows to run `toRunId` as {@link writeChanges} writes them (no apply
 * data, no create's user id), in SQLite: the plan an approval applies, for the run that applies it.
 */
export function copyChanges(db: Database.Database, fromRunId: string, toRunId: string): void {
  prepared(
    db,
    `INSERT INTO sync_changes (run_id, seq, user_id, username, dn, action, from_text, to_text, reason, data_json)
    SELECT @toRunId, seq, CASE WHEN action = 'create' THEN NULL ELSE user_id END, username, dn, action, from_text, to_text, reason, NULL
    FROM sync_changes WHERE run_id = @fromRunId ORDER BY seq`,
  ).run({ fromRunId, toRunId });
}

/** Every change of a run with its apply data (for approving a held plan). */
export function storedChanges(db: Database.Database, runId: string): StoredChange[] {
  return (db.prepare(`SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE run_id = @runId ORDER BY seq`).all({ runId }) as RawChange[]).map((r) => ({
    ...toPlanChange(r),
    userId: r.userId,
    data: r.data === null ? null : JSON.parse(r.data),
  }));
}
