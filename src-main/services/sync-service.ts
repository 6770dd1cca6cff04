// READY: the sync service's API is in place (see the class below).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import type { PasswordInput, ServerDraft } from '../../src-shared/domain/server';
import type { EntrySourceRef } from '../../src-shared/domain/snapshot';
import type Database from 'better-sqlite3';
import {
  everyToMs,
  type ChartPoint,
  type PlanChange,
  type PlanFilter,
  type PlanPage,
  type RunKind,
  type RunStatus,
  type RunSummary,
  type RunTrigger,
  type ServerSyncStatus,
  type SyncOverview,
  type SyncProgress,
  type SyncSettings,
} from '../../src-shared/domain/sync';
import { AppError, type ErrorInfo } from '../../src-shared/errors';
import { targetFromDraft } from '../ldap/target';
import { attributesToFetch } from '../preview/preview-attributes';
import type { ScriptEngine } from '../scripts/engine';
import { listOrganizations } from '../store/organizations-repo';
import { listRoles } from '../store/roles-repo';
import {
  chartPoints,
  changeWriter,
  finishRun,
  getRun,
  latestRun,
  listRuns,
  lockHolder,
  planPage,
  processAlive,
  recoverInterruptedRuns,
  runChanges,
  setRunStatus,
  startRun,
  storedChanges,
  type StoredChange,
} from '../store/runs-repo';
import { getServer, listServers, type ServerRow } from '../store/servers-repo';
import { readSyncSettings, writeSyncSettings } from '../store/settings-repo';
import { prepared } from '../store/statement-cache';
import { loadManagedUsers, managedCounts, otherUsers } from '../store/users-repo';
import { applyChanges } from '../sync/apply';
import { DIRECTORY_ID_ATTRIBUTES } from '../sync/directory-id';
import { exportCsv, exportJson } from '../sync/export';
import { Planner, type Plan } from '../sync/planner';
import type { EntrySource } from '../directory/entry-source';
import { chooseSource, openSource } from './open-source';
import { getSnapshot } from '../store/snapshots-repo';
import type { EntryInput } from '../scripts/engine';
import { normalizeScripts } from './script-checks';
import { draftOfStored } from './stored-draft';
import type { ServerService } from './servers-service';

export interface SyncServiceDeps {
  db: Database.Database;
  servers: ServerService;
  scriptEngine: () => Promise<ScriptEngine>;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
}

export interface RunOptions {
  serverId: string;
  mode: 'simulate' | 'sync';
  trigger: RunTrigger;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  /** Simulate over a snapshot instead of the live directory (offline servers always read theirs). */
  source?: EntrySourceRef;
}

export interface DraftRunOptions {
  /** The saved server the drafts belong to (its managed users are planned against), if any. */
  serverId?: string;
  draft: ServerDraft;
  password: PasswordInput;
  source: EntrySourceRef;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

/** One run to execute. */
interface Job {
  runId: string;
  kind: RunKind;
  trigger: RunTrigger;
  serverId: string | null;
  serverName: string;
  draft: ServerDraft;
  password: PasswordInput;
  source: EntrySourceRef;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

/** How soon the schedule retries a server whose last sync failed. */
export const RETRY_AFTER_FAILURE_MS = 15 * 60_000;

const pct = (n: number) => `${Number.isInteger(n) ? n : n.toFixed(1)}%`;

/**
 * Simulate, Synchronize now, approval of held plans, history and the schedule's view of what is
 * due. One run at a time per store (a lock row shared by the app and the CLI). A run reads the
 * whole directory first; its plan is then applied in one transaction together with its record, so
 * any failure or crash leaves the store as it was.
 */
export class SyncService {
  private readonly now: () => Date;
  /** Runs of this process, by id: for cancel. */
  private readonly active = new Map<string, AbortController>();

  constructor(private readonly deps: SyncServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    recoverInterruptedRuns(deps.db, this.now());
  }

  private get db(): Database.Database {
    return this.deps.db;
  }

  settings(): SyncSettings {
    return readSyncSettings(this.db);
  }

  saveSettings(s: SyncSettings): SyncOverview {
    if (s.registrantsNotFound.action === 'placeInOrg') {
      const name = s.registrantsNotFound.org;
      const org = listOrganizations(this.db).find((o) => o.name.toLowerCase() === name.trim().toLowerCase());
      const path = 'registrantsNotFound.org';
      if (!org) throw new AppError('INVALID_INPUT', `No organization is named "${name}".`, [{ path, message: `No organization is named "${name}"` }]);
      if (org.authServerId !== null) {
        const text = `"${org.name}" signs in with LDAP; registrants not found can only go to an organization with local authentication.`;
        throw new AppError('INVALID_INPUT', text, [{ path, message: text }]);
      }
    }
    writeSyncSettings(this.db, s);
    return this.overview();
  }

  /** Cancels a run of this process. */
  cancel(runId: string): boolean {
    const c = this.active.get(runId);
    c?.abort();
    return !!c;
  }

  /** Runs in progress in this process. */
  get activeRuns(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Simulates or synchronizes one server. Directory and script-engine problems end the run as
   * `failed` (resolved, not thrown); throws NOT_FOUND for an unknown server, BUSY while another
   * run holds the store, and INVALID_INPUT for a sync from a snapshot (only simulations read them).
   */
  async run(opts: RunOptions): Promise<RunSummary> {
    const row = getServer(this.db, opts.serverId);
    if (!row) throw new AppError('NOT_FOUND', 'This server no longer exists.');
    const source = chooseSource(row, opts.source, row.name);
    if (opts.mode === 'sync' && source.kind === 'snapshot') {
      throw new AppError(
        'INVALID_INPUT',
        row.offline
          ? `"${row.name}" is offline: it can only be simulated. A sync reads the live directory, so give it a connection first.`
          : 'A sync reads the live directory: simulate over the snapshot instead.',
      );
    }
    return this.start({
      runId: opts.runId ?? randomUUID(),
      kind: opts.mode === 'simulate' ? 'simulate' : 'sync',
      trigger: opts.trigger,
      serverId: row.id,
      serverName: row.name,
      draft: draftOfStored(this.db, row),
      password: { kind: 'keep' },
      source,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }

  /**
   * "Simulate with these drafts": a simulation of unsaved form values (mapping, scripts, filter...)
   * over any source, against the current local users; saved only as a history entry marked draft.
   */
  async simulateDraft(opts: DraftRunOptions): Promise<RunSummary> {
    if (opts.serverId && !getServer(this.db, opts.serverId)) throw new AppError('NOT_FOUND', 'This server no longer exists.');
    const source = chooseSource(opts.draft, opts.source);
    return this.start({
      runId: opts.runId ?? randomUUID(),
      kind: 'draft',
      trigger: 'manual',
      serverId: opts.serverId ?? null,
      serverName: opts.draft.name.trim() || '(unsaved server)',
      draft: opts.draft,
      password: opts.password,
      source,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }

  private async start(job: Job): Promise<RunSummary> {
    const snapshot = job.source.kind === 'snapshot' ? getSnapshot(this.db, job.source.snapshotId) : undefined;
    if (job.source.kind === 'snapshot' && (!snapshot || snapshot.status !== 'ready')) {
      throw new AppError('NOT_FOUND', 'The snapshot to read no longer exists. Choose another source.', [{ path: 'snapshotId', message: 'Choose another snapshot' }]);
    }
    startRun(this.db, { id: job.runId, serverId: job.serverId, serverName: job.serverName, kind: job.kind, trigger: job.trigger, source: snapshot?.name ?? null }, this.now());
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    job.signal?.addEventListener('abort', onAbort, { once: true });
    if (job.signal?.aborted) controller.abort();
    this.active.set(job.runId, controller);
    try {
      return await this.execute(job, controller.signal);
    } catch (err) {
      this.endFailed(job.runId, err);
      return getRun(this.db, job.runId);
    } finally {
      this.active.delete(job.runId);
      job.signal?.removeEventListener('abort', onAbort);
    }
  }

  private endFailed(runId: string, err: unknown, extra: { entries?: number | null; managedBefore?: number | null } = {}): void {
    const info: ErrorInfo =
      err instanceof AppError ? { code: err.code, message: err.message }
      : { code: 'INTERNAL', message: `The run stopped on an unexpected error: ${err instanceof Error ? err.message : String(err)}. Nothing was changed.` };
    const status = info.code === 'CANCELLED' ? 'cancelled' : 'failed';
    if (status === 'failed' && !/nothing was changed/i.test(info.message)) info.message = `${info.message} Nothing was changed.`;
    this.db.transaction(() => finishRun(this.db, runId, { status, error: info, ...extra }, this.now()))();
  }

  private async execute(job: Job, signal: AbortSignal): Promise<RunSummary> {
    const started = performance.now();
    const { runId, draft } = job;
    const target = targetFromDraft(draft);
    const previous = job.serverId ? latestRun(this.db, job.serverId, `status IN ('applied', 'simulated', 'held', 'approved') AND entries IS NOT NULL`) : null;
    const lastSync = job.serverId ? latestRun(this.db, job.serverId, `status = 'applied' AND kind = 'sync' AND entries IS NOT NULL`) : null;
    const expected = previous?.entries ?? null;
    const progress = (phase: SyncProgress['phase'], pages: number, entries: number) => {
      if (!job.onProgress) return;
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? entries / seconds : 0;
      const etaMs = expected !== null && rate > 0 && phase === 'reading' ? Math.max(0, ((expected - entries) / rate) * 1000) : null;
      job.onProgress({ runId, serverId: job.serverId ?? '', phase, pages, entries, rate: Math.round(rate), expected, etaMs: etaMs === null ? null : Math.round(etaMs) });
    };
    progress('connecting', 0, 0);
    const scripts = normalizeScripts(draft.scripts);
    const m = draft.mapping;
    const mapping = { email: m.email.trim(), firstName: m.firstName.trim(), lastName: m.lastName.trim() };
    // The source opens first: the read worker starts up while the engine and the managed users load.
    const opening = openSource({ db: this.db, target, source: job.source, readAll: true, password: () => this.deps.servers.passwordForDraft({ serverId: job.serverId ?? undefined, draft, password: job.password }) });
    opening.catch(() => {}); // awaited (and its error recorded) below
    const engine = await this.deps.scriptEngine();
    const { planner, managedBefore } = this.plannerFor(job, target.usernameAttribute, mapping, scripts);
    let pages = 0;
    let entries = 0;
    const onPage = (page: EntryInput[]) => {
      const { outcomes } = engine.evaluate(scripts, page);
      planner.addPage(page, outcomes);
      pages++;
      entries += page.length;
      progress('reading', pages, entries);
    };
    const fetch = attributesToFetch(target.usernameAttribute, mapping, scripts);
    const attributes = fetch === '*' ? ['*', ...DIRECTORY_ID_ATTRIBUTES] : [...fetch, ...DIRECTORY_ID_ATTRIBUTES];
    let source: EntrySource | null = null;
    try {
      source = await opening;
      await source.readAll({ attributes, signal, onConnected: () => progress('reading', 0, 0), onPage });
    } catch (err) {
      this.endFailed(runId, err, { managedBefore });
      return getRun(this.db, runId);
    } finally {
      void source?.close();
    }
    if (signal.aborted) {
      this.endFailed(runId, new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.'), { managedBefore });
      return getRun(this.db, runId);
    }
    progress('planning', pages, entries);
    const plan = planner.plan();
    // Outage is not absence: an empty result where entries were found before changes nothing.
    if (plan.entries === 0 && ((previous?.entries ?? 0) > 0 || plan.managedBefore > 0)) {
      const before = (previous?.entries ?? 0) > 0 ? `it returned ${previous!.entries} entries at ${previous!.startedAt}` : `${plan.managedBefore} users are managed by this server`;
      this.endFailed(
        runId,
        new AppError('EMPTY_RESULT', `The search returned no entries although ${before}. Treated as a directory problem: nothing was changed. Check the search base, the filter and the bind account's read rights.`),
        { entries: 0, managedBefore: plan.managedBefore },
      );
      return getRun(this.db, runId);
    }
    const end = { entries: plan.entries, managedBefore: plan.managedBefore, managedAfter: plan.managedAfter, activeAfter: plan.activeAfter, counts: plan.counts };
    if (job.kind !== 'sync') {
      this.db.transaction(() => {
        this.writeChanges(runId, plan.changes);
        finishRun(this.db, runId, { status: 'simulated', ...end }, this.now());
      })();
      return getRun(this.db, runId);
    }
    const held = this.heldReason(plan, lastSync?.entries ?? null);
    if (held) {
      this.db.transaction(() => {
        this.writeChanges(runId, plan.changes, true);
        prepared(this.db, `UPDATE sync_runs SET status = 'discarded', related_run_id = @id WHERE server_id = @serverId AND status = 'held'`).run({ id: runId, serverId: job.serverId });
        finishRun(this.db, runId, { status: 'held', heldReason: held, ...end }, this.now());
      })();
      return getRun(this.db, runId);
    }
    progress('applying', pages, entries);
    this.db.transaction(() => {
      applyChanges(this.db, { serverId: job.serverId!, changes: plan.changes, seen: plan.seen, gone: plan.gone, lastSyncAt: lastSync?.startedAt ?? null, seenAt: getRun(this.db, runId).startedAt, now: this.now(), env: this.deps.env });
      this.writeChanges(runId, plan.changes);
      finishRun(this.db, runId, { status: 'applied', ...end }, this.now());
    })();
    progress('done', pages, entries);
    return getRun(this.db, runId);
  }

  /**
   * The run's planner over the server's managed users. Made here so that nothing in execute()
   * holds the managed users (~33 MB at 100k): the planner lets them go once it has planned.
   */
  private plannerFor(job: Job, usernameAttribute: string, mapping: AttributeMapping, scripts: ServerScripts): { planner: Planner; managedBefore: number } {
    const managed = job.serverId ? loadManagedUsers(this.db, job.serverId) : [];
    const planner = new Planner({
      serverId: job.serverId ?? '',
      serverName: job.serverName,
      usernameAttribute,
      mapping,
      hasOrgScript: scripts.orgName !== null,
      hasRoleScript: scripts.roleName !== null,
      createUsers: job.draft.createUsers,
      defaultOrgId: job.draft.defaultOrgId,
      orgs: listOrganizations(this.db),
      roles: listRoles(this.db),
      managed,
      others: otherUsers(this.db, job.serverId),
    });
    return { planner, managedBefore: managed.length };
  }

  /** Why a plan must wait for approval, or null. */
  private heldReason(plan: Plan, lastEntries: number | null): string | null {
    const limit = this.settings().deactivationLimit;
    const n = plan.counts.deactivated;
    const reasons: string[] = [];
    if (n > limit.count) reasons.push(`it would deactivate ${n} users, more than the limit of ${limit.count}`);
    if (plan.managedBefore > 0 && n > (plan.managedBefore * limit.percent) / 100) {
      reasons.push(`it would deactivate ${pct((n / plan.managedBefore) * 100)} of the ${plan.managedBefore} managed users, more than ${pct(limit.percent)}`);
    }
    if (lastEntries !== null && lastEntries > 0 && plan.entries < lastEntries * (1 - limit.dropPercent / 100)) {
      reasons.push(`the search returned ${plan.entries} entries, ${pct(((lastEntries - plan.entries) / lastEntries) * 100)} fewer than the ${lastEntries} of the last sync (limit ${pct(limit.dropPercent)})`);
    }
    if (reasons.length === 0) return null;
    return `Held for review: ${reasons.join('; ')}. Review the plan, then apply exactly this plan or discard it.`;
  }

  /** Stores a run's plan rows; `withData` keeps what applying needs (only a held plan is applied later). */
  private writeChanges(runId: string, changes: readonly StoredChange[], withData = false): void {
    const write = changeWriter(this.db, runId);
    for (const c of changes) write(c, withData);
  }

  /** Applies exactly the plan of a held run, as a new run. */
  async approve(heldRunId: string, opts: { trigger: RunTrigger; runId?: string; signal?: AbortSignal }): Promise<RunSummary> {
    const held = getRun(this.db, heldRunId);
    if (held.status !== 'held') throw new AppError('CONFLICT', `Run ${heldRunId} is ${held.status}, not held: only a held plan can be approved.`);
    if (!held.serverId || !getServer(this.db, held.serverId)) throw new AppError('NOT_FOUND', 'The server of this plan no longer exists.');
    const later = latestRun(this.db, held.serverId, `status = 'applied' AND started_at > '${held.startedAt.replace(/'/g, "''")}'`);
    if (later) {
      throw new AppError('STALE_PLAN', `The directory was synchronized after this plan was made (run ${later.id} at ${later.startedAt}), so it is out of date. Synchronize again for a fresh plan.`);
    }
    if (opts.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.');
    const runId = opts.runId ?? randomUUID();
    startRun(this.db, { id: runId, serverId: held.serverId, serverName: held.serverName, kind: 'sync', trigger: opts.trigger, relatedRunId: heldRunId }, this.now());
    try {
      const changes = storedChanges(this.db, heldRunId);
      this.db.transaction(() => {
        applyChanges(this.db, { serverId: held.serverId!, changes, seen: [], now: this.now(), env: this.deps.env });
        this.writeChanges(runId, changes);
        const after = managedCounts(this.db, held.serverId!);
        finishRun(
          this.db,
          runId,
          { status: 'applied', entries: held.entries, managedBefore: held.managedBefore, managedAfter: after.managed, activeAfter: after.active, counts: held.counts },
          this.now(),
        );
        setRunStatus(this.db, heldRunId, 'approved', runId);
      })();
    } catch (err) {
      this.endFailed(runId, err);
    }
    return getRun(this.db, runId);
  }

  /** Drops a held plan. */
  discard(runId: string): RunSummary {
    const run = getRun(this.db, runId);
    if (run.status !== 'held') throw new AppError('CONFLICT', `Run ${runId} is ${run.status}, not held: only a held plan can be discarded.`);
    setRunStatus(this.db, runId, 'discarded', null);
    return getRun(this.db, runId);
  }

  get(runId: string): RunSummary {
    return getRun(this.db, runId);
  }

  history(q: { serverId: string | null; status: RunStatus | null; offset: number; limit: number }): { total: number; runs: RunSummary[] } {
    return listRuns(this.db, q);
  }

  changes(q: { runId: string; filter: PlanFilter; search: string | null; offset: number; limit: number }): PlanPage {
    return planPage(this.db, q);
  }

  allChanges(runId: string): IterableIterator<PlanChange> {
    getRun(this.db, runId);
    return runChanges(this.db, runId);
  }

  exportRun(runId: string, format: 'csv' | 'json'): { filename: string; text: string } {
    const run = getRun(this.db, runId);
    const stamp = run.startedAt.replace(/[:.]/g, '-').replace(/Z$/, '');
    const base = `${run.kind}-${run.serverName.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}`;
    const changes = runChanges(this.db, runId);
    return format === 'csv' ? { filename: `${base}.csv`, text: exportCsv(changes) } : { filename: `${base}.json`, text: exportJson(run, changes) };
  }

  chart(serverId: string | null): ChartPoint[] {
    return chartPoints(this.db, serverId);
  }

  /** Servers whose scheduled sync is due: every server that manages an organization or creates users. */
  dueServers(now: Date = this.now()): { serverId: string; serverName: string }[] {
    return this.statuses(now)
      .filter((s) => s.nextRunAt !== null && Date.parse(s.nextRunAt) <= now.getTime())
      .map((s) => ({ serverId: s.serverId, serverName: s.serverName }));
  }

  private statuses(now: Date): ServerSyncStatus[] {
    const every = everyToMs(this.settings().every);
    const orgs = listOrganizations(this.db);
    return listServers(this.db).map((s): ServerSyncStatus => {
      const managedOrgs = orgs.filter((o) => o.authServerId === s.id).map((o) => o.name);
      const lastRun = latestRun(this.db, s.id, `status <> 'running' AND kind <> 'draft'`);
      const lastSync = latestRun(this.db, s.id, `status = 'applied'`);
      const lastAttempt = latestRun(this.db, s.id, `kind = 'sync'`);
      const held = latestRun(this.db, s.id, `status = 'held'`);
      // Offline servers have no directory to synchronize with: only simulations run over their snapshot.
      // A held plan waits for the admin: the schedule does not plan again until it is approved or discarded.
      const schedulable = every !== null && !s.offline && !held && (managedOrgs.length > 0 || s.createUsers);
      // A failed attempt (directory down) is retried sooner: after the schedule, at most 15 minutes.
      const wait = every === null ? 0 : lastAttempt?.status === 'failed' ? Math.min(every, RETRY_AFTER_FAILURE_MS) : every;
      const nextRunAt = !schedulable ? null : lastAttempt ? new Date(Date.parse(lastAttempt.startedAt) + wait).toISOString() : now.toISOString();
      return {
        serverId: s.id,
        serverName: s.name,
        managedOrgs,
        managedUsers: managedCounts(this.db, s.id).managed,
        createUsers: s.createUsers,
        offline: s.offline,
        lastRun,
        lastSync,
        held,
        nextRunAt,
      };
    });
  }

  overview(): SyncOverview {
    // A run whose process died (kill -9) shows as interrupted as soon as anyone looks.
    const stale = lockHolder(this.db);
    if (stale && stale.host === hostname() && !processAlive(stale.pid)) recoverInterruptedRuns(this.db, this.now());
    const holder = lockHolder(this.db);
    let running: SyncOverview['running'] = null;
    if (holder) {
      const r = prepared(this.db, `SELECT server_id AS serverId, kind, trigger, started_at AS startedAt FROM sync_runs WHERE id = @id AND status = 'running'`).get({ id: holder.runId }) as
        | { serverId: string | null; kind: RunKind; trigger: RunTrigger; startedAt: string }
        | undefined;
      if (r) running = { runId: holder.runId, serverId: r.serverId, kind: r.kind, trigger: r.trigger, startedAt: r.startedAt, pid: holder.pid };
    }
    return { settings: this.settings(), servers: this.statuses(this.now()), running };
  }
}
