// READY: the sync service's API is in place (see the class below).
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ServerDraft } from '../../src-shared/domain/server';
import {
  everyToMs,
  type ChartPoint,
  type PlanChange,
  type PlanFilter,
  type PlanPage,
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
import { loadManagedUsers, managedCounts, userByUsername } from '../store/users-repo';
import { applyChanges } from '../sync/apply';
import { DIRECTORY_ID_ATTRIBUTES } from '../sync/directory-id';
import { exportCsv, exportJson } from '../sync/export';
import { Planner, type Plan } from '../sync/planner';
import { readDirectory } from '../sync/reader';
import { normalizeScripts } from './script-checks';
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
}

/** The editable fields of a stored server. */
function draftOfRow(row: ServerRow, trusted: ServerDraft['trustedCertificates']): ServerDraft {
  return {
    name: row.name,
    url: row.url,
    startTls: row.startTls,
    bindAnonymously: row.bindAnonymously,
    bindDn: row.bindDn,
    searchFilter: row.searchFilter,
    timeoutSeconds: row.timeoutSeconds,
    trustedCertificates: trusted,
    mapping: row.mapping,
    scripts: row.scripts,
    createUsers: row.createUsers,
    defaultOrgId: row.defaultOrgId,
  };
}

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
   * `failed` (resolved, not thrown); throws NOT_FOUND for an unknown server and BUSY while another
   * run holds the store.
   */
  async run(opts: RunOptions): Promise<RunSummary> {
    const row = getServer(this.db, opts.serverId);
    if (!row) throw new AppError('NOT_FOUND', 'This server no longer exists.');
    const runId = opts.runId ?? randomUUID();
    const kind = opts.mode === 'simulate' ? 'simulate' : 'sync';
    startRun(this.db, { id: runId, serverId: row.id, serverName: row.name, kind, trigger: opts.trigger }, this.now());
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) controller.abort();
    this.active.set(runId, controller);
    try {
      return await this.execute(runId, row, opts, controller.signal);
    } catch (err) {
      this.endFailed(runId, err);
      return getRun(this.db, runId);
    } finally {
      this.active.delete(runId);
      opts.signal?.removeEventListener('abort', onAbort);
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

  private async execute(runId: string, row: ServerRow, opts: RunOptions, signal: AbortSignal): Promise<RunSummary> {
    const started = performance.now();
    const trusted = prepared(this.db, `SELECT fingerprint256, subject, issuer, valid_from AS validFrom, valid_to AS validTo, pem FROM trusted_certificates WHERE server_id = @id ORDER BY added_at`).all({ id: row.id }) as ServerDraft['trustedCertificates'];
    const draft = draftOfRow(row, trusted);
    const target = targetFromDraft(draft);
    const previous = latestRun(this.db, row.id, `status IN ('applied', 'simulated', 'held', 'approved') AND entries IS NOT NULL`);
    const lastSync = latestRun(this.db, row.id, `status = 'applied' AND kind = 'sync' AND entries IS NOT NULL`);
    const expected = previous?.entries ?? null;
    const progress = (phase: SyncProgress['phase'], pages: number, entries: number) => {
      if (!opts.onProgress) return;
      const seconds = (performance.now() - started) / 1000;
      const rate = seconds > 0 ? entries / seconds : 0;
      const etaMs = expected !== null && rate > 0 && phase === 'reading' ? Math.max(0, ((expected - entries) / rate) * 1000) : null;
      opts.onProgress({ runId, serverId: row.id, phase, pages, entries, rate: Math.round(rate), expected, etaMs: etaMs === null ? null : Math.round(etaMs) });
    };
    progress('connecting', 0, 0);
    const password = await this.deps.servers.passwordForDraft({ serverId: row.id, draft, password: { kind: 'keep' } });
    const scripts = normalizeScripts(row.scripts);
    const engine = await this.deps.scriptEngine();
    const fetch = attributesToFetch(target.usernameAttribute, row.mapping, scripts);
    const attributes = fetch === '*' ? ['*', ...DIRECTORY_ID_ATTRIBUTES] : [...fetch, ...DIRECTORY_ID_ATTRIBUTES];
    const managed = loadManagedUsers(this.db, row.id);
    const planner = new Planner({
      serverId: row.id,
      serverName: row.name,
      usernameAttribute: target.usernameAttribute,
      mapping: row.mapping,
      hasOrgScript: scripts.orgName !== null,
      hasRoleScript: scripts.roleName !== null,
      createUsers: row.createUsers,
      defaultOrgId: row.defaultOrgId,
      orgs: listOrganizations(this.db),
      roles: listRoles(this.db),
      managed,
      ownerOf: (k) => {
        const u = userByUsername(this.db, k);
        return u && { id: u.id, orgName: u.orgName };
      },
    });
    let pages = 0;
    let entries = 0;
    try {
      await readDirectory({
        target,
        password,
        attributes,
        signal,
        onConnected: () => progress('reading', 0, 0),
        onPage: (page) => {
          const { outcomes } = engine.evaluate(scripts, page);
          planner.addPage(page, outcomes);
          pages++;
          entries += page.length;
          progress('reading', pages, entries);
        },
      });
    } catch (err) {
      this.endFailed(runId, err, { managedBefore: managed.length });
      return getRun(this.db, runId);
    }
    if (signal.aborted) {
      this.endFailed(runId, new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.'), { managedBefore: managed.length });
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
    if (opts.mode === 'simulate') {
      this.db.transaction(() => {
        this.writeChanges(runId, plan.changes);
        finishRun(this.db, runId, { status: 'simulated', ...end }, this.now());
      })();
      return getRun(this.db, runId);
    }
    const held = this.heldReason(plan, lastSync?.entries ?? null);
    if (held) {
      this.db.transaction(() => {
        this.writeChanges(runId, plan.changes);
        prepared(this.db, `UPDATE sync_runs SET status = 'discarded', related_run_id = @id WHERE server_id = @serverId AND status = 'held'`).run({ id: runId, serverId: row.id });
        finishRun(this.db, runId, { status: 'held', heldReason: held, ...end }, this.now());
      })();
      return getRun(this.db, runId);
    }
    progress('applying', pages, entries);
    this.db.transaction(() => {
      applyChanges(this.db, { serverId: row.id, changes: plan.changes, seen: plan.seen, now: this.now(), env: this.deps.env });
      this.writeChanges(runId, plan.changes);
      const after = managedCounts(this.db, row.id);
      finishRun(this.db, runId, { status: 'applied', ...end, managedAfter: after.managed, activeAfter: after.active }, this.now());
    })();
    progress('done', pages, entries);
    return getRun(this.db, runId);
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

  private writeChanges(runId: string, changes: readonly StoredChange[]): void {
    const write = changeWriter(this.db, runId);
    for (const c of changes) write(c);
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
      const lastRun = latestRun(this.db, s.id, `status <> 'running'`);
      const lastSync = latestRun(this.db, s.id, `status = 'applied'`);
      const lastAttempt = latestRun(this.db, s.id, `kind = 'sync'`);
      const held = latestRun(this.db, s.id, `status = 'held'`);
      const schedulable = every !== null && (managedOrgs.length > 0 || s.createUsers);
      const nextRunAt = !schedulable ? null : lastAttempt ? new Date(Date.parse(lastAttempt.startedAt) + every).toISOString() : now.toISOString();
      return {
        serverId: s.id,
        serverName: s.name,
        managedOrgs,
        managedUsers: managedCounts(this.db, s.id).managed,
        createUsers: s.createUsers,
        lastRun,
        lastSync,
        held,
        nextRunAt,
      };
    });
  }

  overview(): SyncOverview {
    const holder = lockHolder(this.db);
    let running: SyncOverview['running'] = null;
    if (holder) {
      const r = prepared(this.db, `SELECT server_id AS serverId, kind, started_at AS startedAt FROM sync_runs WHERE id = @id AND status = 'running'`).get({ id: holder.runId }) as
        | { serverId: string | null; kind: 'simulate' | 'sync' | 'draft'; startedAt: string }
        | undefined;
      if (r) running = { runId: holder.runId, serverId: r.serverId, kind: r.kind, startedAt: r.startedAt, pid: holder.pid };
    }
    return { settings: this.settings(), servers: this.statuses(this.now()), running };
  }
}
