import { hostname } from 'node:os';
import type Database from 'better-sqlite3';
import type { RunKind, RunStatus, RunSummary, RunTrigger } from '../../src-shared/domain/sync';
import { emptyCounts, type SyncCounts } from '../../src-shared/domain/sync-actions';
import { AppError, type ErrorInfo } from '../../src-shared/errors';
import { prepared } from './statement-cache';

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
  prepared(db, `DELETE FROM sync_change_chunks WHERE run_id = @id AND EXISTS (SELECT 1 FROM sync_runs WHERE id = @id AND status = 'running')`).run({ id });
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

/**
 * Managed / active users after each applied run, oldest first, with the run's server (at most
 * `limit` points per server): the chart of all servers draws one line per server.
 */
export function chartPoints(
  db: Database.Database,
  serverId: string | null,
  limit = 500,
): { at: string; managed: number; active: number; serverId: string | null; serverName: string | null }[] {
  return prepared(
    db,
    `SELECT at, managed, active, serverId, serverName FROM (
      SELECT r.finished_at AS at, r.managed_after AS managed, r.active_after AS active, r.server_id AS serverId, s.name AS serverName, r.started_at AS startedAt,
        ROW_NUMBER() OVER (PARTITION BY r.server_id ORDER BY r.started_at DESC) AS n
      FROM sync_runs r LEFT JOIN servers s ON s.id = r.server_id
      WHERE r.status IN ('applied') AND r.managed_after IS NOT NULL AND (@serverId IS NULL OR r.server_id = @serverId)
    ) WHERE n <= @limit ORDER BY startedAt`,
  ).all({ serverId, limit }) as { at: string; managed: number; active: number; serverId: string | null; serverName: string | null }[];
}
