import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import {
  emptyCounts,
  SYNC_ACTIONS,
  type PlanChange,
  type PlanFilter,
  type PlanPage,
  type RunKind,
  type RunStatus,
  type RunSummary,
  type RunTrigger,
  type SyncAction,
  type SyncCounts,
} from '../../src-shared/domain/sync';
import { AppError, type ErrorInfo } from '../../src-shared/errors';
import { prepared } from './statement-cache';

/** A change as stored: the plan row plus what applying it needs (`data`). */
export interface StoredChange extends PlanChange {
  userId: string | null;
  data: unknown;
}

const RUN_COLUMNS = `id, server_id AS serverId, server_name AS serverName, kind, trigger, status, started_at AS startedAt,
  finished_at AS finishedAt, duration_ms AS durationMs, entries, managed_before AS managedBefore, managed_after AS managedAfter,
  active_after AS activeAfter, counts_json AS counts, error_json AS error, held_reason AS heldReason, related_run_id AS relatedRunId, source`;

type RawRun = Omit<RunSummary, 'counts' | 'error'> & { counts: string; error: string | null };
const toSummary = (r: RawRun): RunSummary => ({ ...r, counts: { ...emptyCounts(), ...JSON.parse(r.counts) }, error: r.error ? (JSON.parse(r.error) as ErrorInfo) : null });

/** True when a process with this pid runs on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds the store's run lock, if anyone. */
export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  acquiredAt: string;
}

export function lockHolder(db: Database.Database): LockHolder | undefined {
  return prepared(db, `SELECT run_id AS runId, pid, host, acquired_at AS acquiredAt FROM sync_lock WHERE id = 1`).get() as LockHolder | undefined;
}

const alive = (h: LockHolder) => h.host !== hostname() || processAlive(h.pid);

const INTERRUPTED: ErrorInfo = { code: 'CANCELLED', message: 'The run was interrupted (its process ended before it finished). Nothing was changed.' };

/** True for SQLite's "database is locked" (another process holds the write lock past the busy timeout). */
export const isSqliteBusy = (e: unknown): boolean => /^SQLITE_BUSY/.test(String((e as { code?: unknown })?.code ?? ''));

/**
 * Marks runs whose process died (kill -9, power loss) as interrupted and frees their lock. A run's
 * changes are applied in one transaction, so an interrupted run changed nothing. Reads first (never
 * blocked in WAL mode) and writes only when something needs recovery; when another process holds
 * the write lock (it is applying a run), recovery waits for the next look.
 */
export function recoverInterruptedRuns(db: Database.Database, now: Date = new Date()): number {
  const holder = lockHolder(db);
  const running = prepared(db, `SELECT id FROM sync_runs WHERE status = 'running'`).all() as { id: string }[];
  const liveHolder = holder && alive(holder) ? holder : undefined;
  if (!(holder && !liveHolder) && running.every((r) => liveHolder?.runId === r.id)) return 0;
  try {
    return db
      .transaction(() => {
        const h = lockHolder(db);
        if (h && !alive(h)) prepared(db, `DELETE FROM sync_lock WHERE id = 1`).run();
        const live = lockHolder(db);
        let n = 0;
        for (const r of prepared(db, `SELECT id FROM sync_runs WHERE status = 'running'`).all() as { id: string }[]) {
          if (live && live.runId === r.id) continue;
          markInterrupted(db, r.id, now);
          n++;
        }
        return n;
      })
      .immediate();
  } catch (e) {
    if (isSqliteBusy(e)) return 0;
    throw e;
  }
}

function markInterrupted(db: Database.Database, id: string, now: Date): void {
  // The plan rows a run wrote before its end (see writeChangesInTurns) go with it: it changed nothing.
  prepared(db, `DELETE FROM sync_changes WHERE run_id = @id AND EXISTS (SELECT 1 FROM sync_runs WHERE id = @id AND status = 'running')`).run({ id });
  prepared(db, `UPDATE sync_runs SET status = 'interrupted', finished_at = @at, error_json = @error WHERE id = @id AND status = 'running'`).run({
    id,
    at: now.toISOString(),
    error: JSON.stringify(INTERRUPTED),
  });
}

function busyError(db: Database.Database, holder: LockHolder): AppError {
  const other = prepared(db, `SELECT server_name AS s, kind FROM sync_runs WHERE id = @id`).get({ id: holder.runId }) as { s: string; kind: string } | undefined;
  const what = other ? `a ${other.kind === 'sync' ? 'sync' : 'simulation'} of "${other.s}"` : 'another run';
  const who = holder.pid === process.pid ? 'this app' : `process ${holder.pid}`;
  return new AppError('BUSY', `Only one run at a time: ${what} started at ${holder.acquiredAt} by ${who} is still running. Wait for it to finish, or cancel it.`);
}

/** What a new run records. */
export interface NewRun {
  id: string;
  serverId: string | null;
  serverName: string;
  kind: RunKind;
  trigger: RunTrigger;
  relatedRunId?: string | null;
  /** The snapshot read, by name (null or absent: the live directory). */
  source?: string | null;
}

/**
 * Takes the store's run lock and records the run as running, in one immediate transaction.
 * Throws AppError('BUSY') naming the run in progress when a live process holds the lock.
 */
export function startRun(db: Database.Database, run: NewRun, now: Date = new Date()): RunSummary {
  // A read first: while another process applies a run it holds the write lock, and the lock row says who.
  const seen = lockHolder(db);
  if (seen && alive(seen)) throw busyError(db, seen);
  try {
    return db
      .transaction(() => {
        const holder = lockHolder(db);
        if (holder && alive(holder)) throw busyError(db, holder);
        if (holder) {
          prepared(db, `DELETE FROM sync_lock WHERE id = 1`).run();
          markInterrupted(db, holder.runId, now);
        }
        const at = now.toISOString();
        prepared(db, `INSERT INTO sync_lock (id, run_id, pid, host, acquired_at) VALUES (1, @id, @pid, @host, @at)`).run({ id: run.id, pid: process.pid, host: hostname(), at });
        try {
          prepared(
            db,
            `INSERT INTO sync_runs (id, server_id, server_name, kind, trigger, status, pid, started_at, counts_json, related_run_id, source)
            VALUES (@id, @serverId, @serverName, @kind, @trigger, 'running', @pid, @at, '{}', @related, @source)`,
          ).run({ ...run, related: run.relatedRunId ?? null, source: run.source ?? null, pid: process.pid, at });
        } catch (error) {
          if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new AppError('CONFLICT', `A run with id ${run.id} already exists.`);
          throw error;
        }
        return getRun(db, run.id);
      })
      .immediate();
  } catch (e) {
    if (!isSqliteBusy(e)) throw e;
    const h = lockHolder(db);
    if (h) throw busyError(db, h);
    throw new AppError('BUSY', 'The store is busy: another process is writing to it. Try again in a moment.');
  }
}

/** How a run ended. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  entries?: number | null;
  managedBefore?: number | null;
  managedAfter?: number | null;
  activeAfter?: number | null;
  counts?: SyncCounts;
  error?: ErrorInfo | null;
  heldReason?: string | null;
}

/** Records the end of a run and frees the lock. Call inside the transaction that applies its plan. */
export function finishRun(db: Database.Database, id: string, end: RunEnd, now: Date = new Date()): void {
  const run = prepared(db, `SELECT started_at AS s FROM sync_runs WHERE id = @id`).get({ id }) as { s: string } | undefined;
  if (!run) throw new AppError('NOT_FOUND', `No run has the id ${id}.`);
  prepared(
    db,
    `UPDATE sync_runs SET status = @status, finished_at = @at, duration_ms = @ms, entries = @entries, managed_before = @mb, managed_after = @ma,
      active_after = @aa, counts_json = @counts, error_json = @error, held_reason = @held WHERE id = @id`,
  ).run({
    id,
    status: end.status,
    at: now.toISOString(),
    ms: Math.max(0, Math.round(now.getTime() - Date.parse(run.s))),
    entries: end.entries ?? null,
    mb: end.managedBefore ?? null,
    ma: end.managedAfter ?? null,
    aa: end.activeAfter ?? null,
    counts: JSON.stringify(end.counts ?? emptyCounts()),
    error: end.error ? JSON.stringify(end.error) : null,
    held: end.heldReason ?? null,
  });
  prepared(db, `DELETE FROM sync_lock WHERE run_id = @id`).run({ id });
}

/** One run. Throws NOT_FOUND. */
export function getRun(db: Database.Database, id: string): RunSummary {
  const r = prepared(db, `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE id = @id`).get({ id }) as RawRun | undefined;
  if (!r) throw new AppError('NOT_FOUND', `No run has the id ${id}. List runs with: ldap-sync history`);
  return toSummary(r);
}

/** Sets a run's status and related run (held -> approved / discarded). */
export function setRunStatus(db: Database.Database, id: string, status: RunStatus, relatedRunId: string | null): void {
  prepared(db, `UPDATE sync_runs SET status = @status, related_run_id = coalesce(@related, related_run_id) WHERE id = @id`).run({ id, status, related: relatedRunId });
}

/** Runs, newest first. */
export function listRuns(db: Database.Database, q: { serverId: string | null; status: RunStatus | null; offset: number; limit: number }): { total: number; runs: RunSummary[] } {
  const where: string[] = [];
  if (q.serverId) where.push('server_id = @serverId');
  if (q.status) where.push('status = @status');
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const params = { serverId: q.serverId, status: q.status, limit: q.limit, offset: q.offset };
  const total = (prepared(db, `SELECT COUNT(*) AS n FROM sync_runs ${clause}`).get(params) as { n: number }).n;
  const runs = (prepared(db, `SELECT ${RUN_COLUMNS} FROM sync_runs ${clause} ORDER BY started_at DESC, rowid DESC LIMIT @limit OFFSET @offset`).all(params) as RawRun[]).map(toSummary);
  return { total, runs };
}

/** The conditions of the named "newest run of a server" queries below: fixed texts, never built from data. */
const NEWEST = {
  finished: `status <> 'running' AND kind <> 'draft'`,
  withEntries: `status IN ('applied', 'simulated', 'held', 'approved') AND entries IS NOT NULL`,
  appliedSyncWithEntries: `status = 'applied' AND kind = 'sync' AND entries IS NOT NULL`,
  applied: `status = 'applied'`,
  syncAttempt: `kind = 'sync'`,
  held: `status = 'held'`,
  appliedAfter: `status = 'applied' AND started_at > @after`,
} as const;

function newestRun(db: Database.Database, serverId: string, which: keyof typeof NEWEST, params: Record<string, unknown> = {}): RunSummary | null {
  const r = prepared(db, `SELECT ${RUN_COLUMNS} FROM sync_runs WHERE server_id = @serverId AND (${NEWEST[which]}) ORDER BY started_at DESC, rowid DESC LIMIT 1`).get({ ...params, serverId }) as
    | RawRun
    | undefined;
  return r ? toSummary(r) : null;
}

/** The server's newest run that has ended, drafts aside (the schedule's "last run"), or null. */
export const latestFinishedRun = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'finished');

/** The server's newest run that read the directory to the end (its entry count is the next run's expectation), or null. */
export const latestRunWithEntries = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'withEntries');

/** The server's newest applied sync that read entries (the hold policy compares against its count), or null. */
export const lastAppliedSync = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'appliedSyncWithEntries');

/** The server's newest applied run (a sync or an approval), or null. */
export const lastAppliedRun = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'applied');

/** The server's newest sync, whatever its outcome (the schedule counts from it), or null. */
export const lastSyncAttempt = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'syncAttempt');

/** The server's plan waiting for approval, or null. */
export const heldRun = (db: Database.Database, serverId: string) => newestRun(db, serverId, 'held');

/** The server's newest run applied after `startedAt` (an ISO time), or null: a held plan older than it is stale. */
export const appliedAfter = (db: Database.Database, serverId: string, startedAt: string) => newestRun(db, serverId, 'appliedAfter', { after: startedAt });

/** Marks the server's held plans discarded, replaced by run `byRunId` (a newer held plan). */
export function discardHeldRuns(db: Database.Database, serverId: string, byRunId: string): void {
  prepared(db, `UPDATE sync_runs SET status = 'discarded', related_run_id = @id WHERE server_id = @serverId AND status = 'held'`).run({ id: byRunId, serverId });
}

/** Run `runId` if it is running: what the overview shows of it. */
export function runningRun(db: Database.Database, runId: string): { serverId: string | null; kind: RunKind; trigger: RunTrigger; startedAt: string } | undefined {
  return prepared(db, `SELECT server_id AS serverId, kind, trigger, started_at AS startedAt FROM sync_runs WHERE id = @id AND status = 'running'`).get({ id: runId }) as
    | { serverId: string | null; kind: RunKind; trigger: RunTrigger; startedAt: string }
    | undefined;
}

/** Managed / active users after each applied run, oldest first (at most `limit` points). */
export function chartPoints(db: Database.Database, serverId: string | null, limit = 500): { at: string; managed: number; active: number }[] {
  const rows = prepared(
    db,
    `SELECT finished_at AS at, managed_after AS managed, active_after AS active FROM sync_runs
    WHERE status IN ('applied') AND managed_after IS NOT NULL AND (@serverId IS NULL OR server_id = @serverId)
    ORDER BY started_at DESC LIMIT @limit`,
  ).all({ serverId, limit }) as { at: string; managed: number; active: number }[];
  return rows.reverse();
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
  out[at + 1] = c.userId;
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
  return c;
}

/** A slice of a run's plan. */
export function planPage(db: Database.Database, q: { runId: string; filter: PlanFilter; search: string | null; offset: number; limit: number }): PlanPage {
  getRun(db, q.runId);
  const where = ['run_id = @runId'];
  const params: Record<string, unknown> = { runId: q.runId, limit: q.limit, offset: q.offset };
  if (q.filter !== 'all') {
    where.push('action = @action');
    params.action = q.filter;
  }
  if (q.search && q.search.trim() !== '') {
    where.push(`(lower(username) LIKE @p ESCAPE '\\' OR lower(dn) LIKE @p ESCAPE '\\')`);
    params.p = `%${q.search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const clause = where.join(' AND ');
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM sync_changes WHERE ${clause}`).get(params) as { n: number }).n;
  const rows = (db.prepare(`SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE ${clause} ORDER BY seq LIMIT @limit OFFSET @offset`).all(params) as RawChange[]).map(toPlanChange);
  const byAction = Object.fromEntries(SYNC_ACTIONS.map((a) => [a, 0])) as Record<SyncAction, number>;
  for (const r of prepared(db, `SELECT action, COUNT(*) AS n FROM sync_changes WHERE run_id = @runId GROUP BY action`).all({ runId: q.runId }) as { action: SyncAction; n: number }[]) {
    byAction[r.action] = r.n;
  }
  return { total, offset: q.offset, rows, byAction };
}

/** Every change of a run, in plan order (streamed). */
export function* runChanges(db: Database.Database, runId: string): IterableIterator<PlanChange> {
  for (const r of db.prepare(`SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE run_id = @runId ORDER BY seq`).iterate({ runId }) as IterableIterator<RawChange>) {
    yield toPlanChange(r);
  }
}

/** Every change of a run with its apply data (for approving a held plan). */
export function storedChanges(db: Database.Database, runId: string): StoredChange[] {
  return (db.prepare(`SELECT ${CHANGE_COLUMNS} FROM sync_changes WHERE run_id = @runId ORDER BY seq`).all({ runId }) as RawChange[]).map((r) => ({
    ...toPlanChange(r),
    userId: r.userId,
    data: r.data === null ? null : JSON.parse(r.data),
  }));
}
