// READY: the sync service's API is in place (see the class below).
import { randomUUID } from 'node:crypto';
import type { PasswordInput, ServerDraft } from '../../src-shared/domain/server';
import type { EntrySourceRef } from '../../src-shared/domain/snapshot';
import type Database from 'better-sqlite3';
import {
  type ChartPoint,
  type PlanChange,
  type PlanFilter,
  type PlanPage,
  type RunKind,
  type RunStatus,
  type RunSummary,
  type RunTrigger,
  type SyncOverview,
  type SyncProgress,
  type SyncSettings,
} from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { targetFromDraft } from '../ldap/target';
import { attributesToFetch } from '../preview/preview-attributes';
import type { ScriptRunner } from '../scripts/script-runner';
import { listOrganizations } from '../store/organizations-repo';
import { chartPoints, getRun, lastAppliedSync, latestRunWithEntries, listRuns, lockHolder, runningRun, startRun } from '../store/runs-repo';
import { planPage, runChanges } from '../store/plan-rows-repo';
import { getServer } from '../store/servers-repo';
import { readSyncSettings, writeSyncSettings } from '../store/settings-repo';
import { approveHeldPlan, discardHeldPlan } from '../sync/approval';
import { takeApply, withApplyAhead } from '../sync/apply-ahead';
import { concludeRun } from '../sync/conclude-run';
import { DIRECTORY_ID_ATTRIBUTES } from '../sync/directory-id';
import { exportCsv, exportJson } from '../sync/export';
import { Pacer, type Plan } from '../sync/planner';
import { recoverAtStart, recoverStaleLock } from '../sync/recovery';
import { endRunFailed } from '../sync/run-failure';
import { dueServers, serverStatuses } from '../sync/schedule';
import type { EntrySource } from '../directory/entry-source';
import { chooseSource, openGroups, openSource } from './open-source';
import { getSnapshot } from '../store/snapshots-repo';
import { normalizeScripts } from './script-checks';
import { namesNoEntryHolds } from './snapshot-held';
import { usedAttributes, usesGroups } from '../scripts/used-attributes';
import { runPages } from './run-pages';
import { runPlanner } from './run-planner';
import { draftOfStored } from './stored-draft';
import type { ServerService } from './servers-service';

export interface SyncServiceDeps {
  db: Database.Database;
  servers: ServerService;
  scriptEngine: () => Promise<ScriptRunner>;
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

export { RETRY_AFTER_FAILURE_MS } from '../sync/schedule';

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
    // A store this process cannot write is only read (users, history): nothing to recover here.
    if (!deps.db.readonly) recoverAtStart(deps.db, this.now());
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
      // A sync's apply worker starts now: its start-up and store check overlap the directory read.
      return await withApplyAhead(this.db, job.kind === 'sync' ? job.runId : null, () => this.execute(job, controller.signal));
    } catch (err) {
      this.endFailed(job.runId, err);
      return getRun(this.db, job.runId);
    } finally {
      this.active.delete(job.runId);
      job.signal?.removeEventListener('abort', onAbort);
    }
  }

  private endFailed(runId: string, err: unknown, extra: { entries?: number | null; managedBefore?: number | null } = {}): void {
    endRunFailed(this.db, runId, err, this.now(), extra);
  }

  private async execute(job: Job, signal: AbortSignal): Promise<RunSummary> {
    const started = performance.now();
    const { runId, draft } = job;
    const target = targetFromDraft(draft);
    const previous = job.serverId ? latestRunWithEntries(this.db, job.serverId) : null;
    const lastSync = job.serverId ? lastAppliedSync(this.db, job.serverId) : null;
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
    let resolved: Promise<string | null> | null = null;
    const password = () => (resolved ??= this.deps.servers.passwordForDraft({ serverId: job.serverId ?? undefined, draft, password: job.password }));
    const opening = openSource({ db: this.db, target, source: job.source, readAll: true, password });
    opening.catch(() => {}); // awaited (and its error recorded) below
    // The script engine loads while the directory is read: the first page waits for it, not the read.
    const engineReady = this.deps.scriptEngine();
    engineReady.catch(() => {}); // awaited by the pages and after the read
    // A turn for the event loop: what follows parses the scripts (acorn) before the read can start.
    await new Promise((resolve) => setImmediate(resolve));
    // Scripts using the groups helpers get every group below the base, read alongside the entries.
    const grouping = usesGroups(scripts) ? openGroups({ db: this.db, target, source: job.source, password, signal }) : null;
    grouping?.catch(() => {}); // awaited by the pages and after the read
    // Loading the managed users and planning give the event loop a turn every ~10 ms (the window, cancel, progress).
    const pacer = new Pacer();
    // They load while the directory is read too (100k users: ~0.4 s): the pages wait for them, not the read.
    const planning = runPlanner(this.db, { serverId: job.serverId, serverName: job.serverName, usernameAttribute: target.usernameAttribute, mapping, scripts, createUsers: job.draft.createUsers, defaultOrgId: job.draft.defaultOrgId, simulation: job.kind !== 'sync' }, pacer);
    planning.catch(() => {}); // awaited by the pages and after the read
    let pages = 0;
    let entries = 0;
    // The scripts run in a worker: a cancel terminates it even in the middle of a script.
    // A script that read an attribute which was not fetched (or a snapshot holds for no entry) stops the run.
    const snapshotId = job.source.kind === 'snapshot' ? job.source.snapshotId : null;
    const used = usedAttributes(scripts);
    const withhold = snapshotId && !used.dynamic ? namesNoEntryHolds(this.db, snapshotId, used.names) : [];
    const snapshotName = snapshotId ? (getSnapshot(this.db, snapshotId)?.name ?? snapshotId) : null;
    const fetch = attributesToFetch(target.usernameAttribute, mapping, scripts);
    // A dynamic plan reads any attribute: the operational ones ('+') too, so that absent means absent.
    const attributes = fetch === '*' ? ['*', '+', ...DIRECTORY_ID_ATTRIBUTES] : [...fetch, ...DIRECTORY_ID_ATTRIBUTES];
    const { columns, onPage } = runPages({
      scripts,
      attributes,
      dynamic: fetch === '*',
      usernameAttribute: target.usernameAttribute,
      mapping,
      engine: engineReady,
      groups: grouping,
      planner: planning.then((p) => p.planner),
      signal,
      withhold,
      snapshotName,
      onPlanned: (p, e) => {
        pages = p;
        entries = e;
        progress('reading', pages, entries);
      },
    });
    let source: EntrySource | null = null;
    let managedBefore: number | null = null;
    try {
      source = await opening;
      // overlap: the next page is decoded and packed while the scripts run over this one; onPage's
      // evaluations queue in page order, so pages reach the planner in order.
      await source.readAll({ attributes, signal, onConnected: () => progress('reading', 0, 0), onPage, overlap: true, columns });
      await grouping;
      await engineReady;
      managedBefore = (await planning).managedBefore;
    } catch (err) {
      this.endFailed(runId, err, { managedBefore: await planning.then((p) => p.managedBefore, () => null) });
      return getRun(this.db, runId);
    } finally {
      void source?.close();
    }
    if (signal.aborted) {
      this.endFailed(runId, new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.'), { managedBefore });
      return getRun(this.db, runId);
    }
    progress('planning', pages, entries);
    const { planner } = await planning;
    // A sync is applied while its plan is made, in a transaction that commits only if the plan is
    // applied after all (not held, not cancelled): see ApplyStream. (A simulation writes its rows
    // on main: streaming them to a worker cost more CPU in copying than it saved.)
    const stream = job.kind === 'sync' && entries > 0
      ? takeApply(this.db, runId).stream({ kind: 'sync', runId, serverId: job.serverId!, lastSyncAt: lastSync?.startedAt ?? null, now: this.now().toISOString() })
      : null;
    let plan: Plan;
    try {
      plan = await planner.planInTurns(pacer, stream ? (changes, done) => stream.send(changes, done) : undefined);
    } catch (err) {
      await stream?.stop();
      throw err;
    }
    if (signal.aborted) {
      await stream?.stop();
      this.endFailed(runId, new AppError('CANCELLED', 'Cancelled by the admin. Nothing was changed.'), { entries, managedBefore });
      return getRun(this.db, runId);
    }
    const outcome = await concludeRun(this.db, {
      runId,
      kind: job.kind,
      serverId: job.serverId,
      plan,
      previous,
      lastSync,
      now: this.now,
      onApplying: () => progress('applying', pages, entries),
      pacer,
      signal,
      stream,
    });
    if (outcome === 'applied') progress('done', pages, entries);
    return getRun(this.db, runId);
  }

  /** Applies exactly the plan of a held run, as a new run (see sync/approval.ts). */
  async approve(heldRunId: string, opts: { trigger: RunTrigger; runId?: string; signal?: AbortSignal }): Promise<RunSummary> {
    return approveHeldPlan(this.db, heldRunId, { ...opts, now: this.now });
  }

  /** Drops a held plan. */
  discard(runId: string): RunSummary {
    return discardHeldPlan(this.db, runId);
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

  /** Servers whose scheduled sync is due: every server that manages an organization or creates users (see sync/schedule.ts). */
  dueServers(now: Date = this.now()): { serverId: string; serverName: string }[] {
    return dueServers(serverStatuses(this.db, now), now);
  }

  overview(): SyncOverview {
    // A run whose process died (kill -9) shows as interrupted as soon as anyone looks.
    if (!this.db.readonly) recoverStaleLock(this.db, this.now());
    const holder = lockHolder(this.db);
    const r = holder ? runningRun(this.db, holder.runId) : undefined;
    const running: SyncOverview['running'] = holder && r ? { runId: holder.runId, serverId: r.serverId, kind: r.kind, trigger: r.trigger, startedAt: r.startedAt, pid: holder.pid } : null;
    return { settings: this.settings(), servers: serverStatuses(this.db, this.now()), running };
  }
}
