import { useCallback, useEffect, useRef, useState } from 'react';
import { call } from '../../api';
import type { RunSummary, SyncOverview } from '../../../src-shared/domain/sync';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatDateTime, relativeTime } from '../../ui/format';
import { useNow } from '../../ui/use-now';
import { useResource } from '../../ui/use-resource';
import { useOrgs } from '../orgs/use-orgs';
import { PlanView } from './PlanView';
import { countsText, hasPlan, runTitle, sourceText, StatusBadge } from './run-format';
import { ServerSyncCard } from './ServerSyncCard';
import { SettingsForm } from './SettingsForm';
import { describeEvery } from './settings-model';
import { useSyncRuns, type RunMode } from './use-sync-runs';

const loadOverview = () => call('sync.overview', {});

const RUNNING_LABELS: Record<RunMode, string> = { simulate: 'Simulating', sync: 'Synchronizing', approve: 'Applying the held plan' };
/** While another process runs a sync, look again this often. */
const POLL_MS = 3000;

/** The most recent run of any server that kept a plan. */
function latestRun(overview: SyncOverview | null): RunSummary | null {
  let latest: RunSummary | null = null;
  for (const s of overview?.servers ?? []) {
    for (const run of [s.lastRun, s.held]) {
      if (run && hasPlan(run) && (!latest || run.startedAt > latest.startedAt)) latest = run;
    }
  }
  return latest;
}

type Confirm = { kind: 'approve' | 'discard'; run: RunSummary };

/**
 * The Sync screen: each server with its last sync, next run, Simulate / Synchronize now and the run's
 * progress and outcome; the global settings; and the plan of the latest run (or the one picked).
 */
export function SyncScreen({ active, serversDirty = false }: { active: boolean; serversDirty?: boolean }) {
  const overview = useResource<SyncOverview>(loadOverview, 'overview', { active, topics: ['runs', 'settings', 'servers', 'orgs', 'users'] });
  const orgs = useOrgs(active);
  const now = useNow(30_000);
  const [picked, setPicked] = useState<RunSummary | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const planRef = useRef<HTMLDivElement>(null);
  const planSectionRef = useRef<HTMLElement>(null);

  const onEnded = useCallback((run: RunSummary) => {
    if (hasPlan(run)) setPicked(run);
  }, []);
  const runs = useSyncRuns(onEnded);
  const { local, progress } = runs;
  const data = overview.data;
  const running = data?.running ?? null;
  const external = running && running.runId !== local?.runId && !runs.ended.has(running.runId) ? running : null;

  // Another process (the schedule, the command line) is running: look again until it ends.
  const { reload } = overview;
  useEffect(() => {
    if (!active || !external) return;
    const timer = window.setInterval(() => void reload(), POLL_MS);
    return () => window.clearInterval(timer);
  }, [active, external, reload]);

  const serverName = (id: string | null) => data?.servers.find((s) => s.serverId === id)?.serverName ?? 'a server';
  let busyReason: string | null = null;
  if (local) busyReason = `${RUNNING_LABELS[local.mode]} ${serverName(local.serverId)}: one run at a time.`;
  else if (external) busyReason = `A ${external.kind === 'sync' ? 'sync' : 'simulation'} of ${serverName(external.serverId)} is running: one run at a time.`;

  // The picked run as the overview knows it now (a held plan may since have been approved or discarded).
  const fresh = picked && data?.servers.flatMap((s) => [s.lastRun, s.lastSync, s.held]).find((r) => r?.id === picked.id);
  const shown = (picked && (fresh ?? picked)) ?? latestRun(data);

  const showPlan = (run: RunSummary, focus = false) => {
    setPicked(run);
    window.setTimeout(() => {
      planSectionRef.current?.scrollIntoView({ block: 'start' });
      if (focus) planRef.current?.focus();
    }, 0);
  };

  const doConfirm = () => {
    const c = confirm;
    setConfirm(null);
    if (!c) return;
    if (c.kind === 'approve') void runs.approve(c.run);
    else void runs.discard(c.run);
  };

  return (
    <div className="screen sync-screen">
      <header className="screen-head">
        <h2>Sync</h2>
        {data && (
          <p className="muted" data-testid="sync-schedule-summary">
            Schedule: {describeEvery(data.settings.every)}
          </p>
        )}
      </header>

      {serversDirty && (
        <p className="notice warning-text" data-testid="sync-unsaved-server">
          A server form has unsaved changes. Runs here use each server's saved settings: save the form first, or use Simulate with these drafts on the Servers screen to simulate your changes unsaved.
        </p>
      )}
      {overview.error && <ErrorBox error={overview.error} lead="Could not load the sync overview:" onRetry={() => void reload()} />}
      {external && (
        <p className="notice running-notice" role="status" data-testid="sync-running-elsewhere">
          <span className="spinner" aria-hidden="true" /> A {external.kind === 'sync' ? 'sync' : 'simulation'} of {serverName(external.serverId)} is running, started{' '}
          <time dateTime={external.startedAt} title={formatDateTime(external.startedAt)}>
            {relativeTime(external.startedAt, now)}
          </time>{' '}
          by process {external.pid}. Simulate and Synchronize wait until it ends.
        </p>
      )}
      {!data && !overview.error && (
        <p className="loading" role="status">
          Loading…
        </p>
      )}

      {data && (
        <div className="sync-layout">
          <div className="sync-main">
            <section className="sync-servers" aria-label="Servers">
              {data.servers.length === 0 ? (
                <p className="panel muted">No servers yet. Add one on the Servers screen, then simulate it here.</p>
              ) : (
                data.servers.map((s) => {
                  const mine = local?.serverId === s.serverId ? local : null;
                  const theirs = !mine && external?.serverId === s.serverId ? external : null;
                  const runId = mine?.runId ?? theirs?.runId ?? null;
                  const p = runId ? (progress[runId] ?? null) : null;
                  return (
                    <ServerSyncCard
                      key={s.serverId}
                      status={s}
                      now={now}
                      busyReason={busyReason}
                      running={
                        mine
                          ? { label: RUNNING_LABELS[mine.mode], progress: p, cancelling: mine.cancelling, onCancel: () => void runs.cancel(mine.runId, s.serverId) }
                          : theirs
                            ? {
                                label: theirs.kind === 'sync' ? 'Synchronizing' : 'Simulating',
                                progress: p,
                                cancelling: false,
                                // Only runs of this process stream progress, and only those can be cancelled from here.
                                onCancel: p ? () => void runs.cancel(theirs.runId, s.serverId) : null,
                              }
                            : null
                      }
                      outcome={runs.outcomes[s.serverId] ?? null}
                      onSimulate={() => void runs.start(s.serverId, 'simulate')}
                      onSync={() => void runs.start(s.serverId, 'sync')}
                      onShowPlan={(run) => showPlan(run)}
                      onReview={(run) => showPlan(run, true)}
                      onApprove={(run) => setConfirm({ kind: 'approve', run })}
                      onDiscard={(run) => setConfirm({ kind: 'discard', run })}
                      onDismiss={() => runs.dismiss(s.serverId)}
                    />
                  );
                })
              )}
            </section>
            <section ref={planSectionRef} className="panel sync-plan" aria-labelledby="sync-plan-title">
              <div className="panel-head">
                <h3 id="sync-plan-title">
                  {shown ? (
                    <>
                      Plan: {runTitle(shown)}
                      {shown.source && <span className="muted"> {sourceText(shown)}</span>}, <StatusBadge status={shown.status} />{' '}
                      <time dateTime={shown.startedAt} title={formatDateTime(shown.startedAt)} className="muted">
                        {relativeTime(shown.startedAt, now)}
                      </time>
                    </>
                  ) : (
                    'Plan'
                  )}
                </h3>
                {shown && <span className="muted">{countsText(shown.counts)}</span>}
              </div>
              {shown ? (
                <PlanView key={shown.id} runId={shown.id} focusRef={planRef} />
              ) : (
                <p className="muted">No plan yet. Simulate a server to see, user by user, what a sync would change.</p>
              )}
            </section>
          </div>
          <SettingsForm settings={data.settings} orgs={orgs.data} onSaved={overview.mutate} />
        </div>
      )}

      {confirm?.kind === 'approve' && (
        <ConfirmDialog
          title="Apply this held plan?"
          testId="approve-dialog"
          onClose={() => setConfirm(null)}
          onConfirm={doConfirm}
          confirmLabel="Apply plan"
        >
          <p>
            <strong>{confirm.run.serverName}</strong>: {confirm.run.heldReason}
          </p>
          <p>
            Applying it makes exactly these changes: <strong>{countsText(confirm.run.counts)}</strong>. Deactivated users lose access with their devices.
          </p>
        </ConfirmDialog>
      )}
      {confirm?.kind === 'discard' && (
        <ConfirmDialog
          title="Discard the held plan?"
          testId="discard-plan-dialog"
          onClose={() => setConfirm(null)}
          onConfirm={doConfirm}
          confirmLabel="Discard"
          cancelLabel="Keep it"
        >
          <p>
            Nothing is changed. The held plan of <strong>{confirm.run.serverName}</strong> stays in History as discarded; the next sync computes a new
            plan and is held again if it is still over a limit.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
