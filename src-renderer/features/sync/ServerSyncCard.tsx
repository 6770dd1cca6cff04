import { useId } from 'react';
import type { RunSummary, ServerSyncStatus } from '../../../src-shared/domain/sync';
import { formatCount, formatDateTime, relativeFuture, relativeTime } from '../../ui/format';
import { RunOutcome } from './RunOutcome';
import { RunProgress, type RunProgressProps } from './RunProgress';
import { sourceText, StatusBadge } from './run-format';
import type { Outcome } from './use-sync-runs';

/** Props of {@link ServerSyncCard}. */
export interface ServerSyncCardProps {
  status: ServerSyncStatus;
  now: number;
  /** Why the run buttons are off (another run in progress), or null. */
  busyReason: string | null;
  /** The run in progress on this server, if any. */
  running: RunProgressProps | null;
  outcome: Outcome | null;
  onSimulate: () => void;
  onSync: () => void;
  onShowPlan: (run: RunSummary) => void;
  onReview: (run: RunSummary) => void;
  onApprove: (run: RunSummary) => void;
  onDiscard: (run: RunSummary) => void;
  onDismiss: () => void;
}

function RunWhen({ run, now }: { run: RunSummary; now: number }) {
  const at = run.finishedAt ?? run.startedAt;
  return (
    <>
      <StatusBadge status={run.status} />{' '}
      <time dateTime={at} title={formatDateTime(at)}>
        {relativeTime(at, now)}
      </time>
    </>
  );
}

/** One server on the Sync screen: what it manages, its last sync and next run, Simulate / Synchronize now, and how the latest run went. */
export function ServerSyncCard({ status, now, busyReason, running, outcome, onSimulate, onSync, onShowPlan, onReview, onApprove, onDiscard, onDismiss }: ServerSyncCardProps) {
  const titleId = useId();
  const { held, lastRun, lastSync } = status;
  const heldActions = (run: RunSummary) =>
    held && held.id === run.id && run.status === 'held'
      ? { onReview: () => onReview(run), onApprove: () => onApprove(run), onDiscard: () => onDiscard(run), disabled: busyReason !== null }
      : null;
  // The held plan shows on its own unless the latest outcome is that plan, or it was just applied or discarded.
  const outcomeRun = outcome?.kind === 'run' ? outcome.run : null;
  const showHeld = held && outcomeRun?.id !== held.id && outcomeRun?.relatedRunId !== held.id;
  // A sync of a server that manages no organization and creates no users changes nobody.
  const managesNobody = !status.offline && status.managedOrgs.length === 0 && !status.createUsers;
  // Each run shows once per card: the run whose outcome is open below is not repeated in the facts.
  const shownBelow = (run: RunSummary) => outcomeRun?.id === run.id || (showHeld && held?.id === run.id);

  return (
    <article className="sync-card" aria-labelledby={titleId} data-testid="sync-server" data-server-name={status.serverName}>
      <header className="sync-card-head">
        <h3 id={titleId} className="truncate long-name" title={status.serverName || undefined}>
          {status.serverName || '(unnamed server)'}
        </h3>
        <div className="toolbar">
          <button type="button" onClick={onSimulate} disabled={busyReason !== null} title={busyReason ?? 'Compute the plan without changing anything'}>
            Simulate
          </button>
          {!status.offline && (
            <button
              type="button"
              className={managesNobody ? undefined : 'primary'}
              onClick={onSync}
              disabled={busyReason !== null}
              title={busyReason ?? (managesNobody ? 'It would manage nobody: no organization signs in with this server and it creates no users' : 'Compute the plan and apply it (held if over a limit)')}
            >
              Synchronize now
            </button>
          )}
        </div>
      </header>
      {status.offline && (
        <p className="muted" data-testid="sync-offline-note">
          Offline server: it reads only its snapshot, so it can be simulated but is never synchronized or scheduled. Turn Offline off in its Source
          section to synchronize it.
        </p>
      )}
      {managesNobody && (
        <p className="muted" data-testid="sync-manages-nobody">
          A sync would manage nobody: no organization signs in with this server and it creates no users. Choose this server as an organization's
          sign-in server (Organizations), or turn on Create users in its Sync section.
        </p>
      )}
      <dl className="facts">
        <dt>Managed organizations</dt>
        <dd data-testid="sync-managed-orgs">
          {status.managedOrgs.length ? (
            <span className="truncate long-name" title={status.managedOrgs.join(', ')}>
              {status.managedOrgs.join(', ')}
            </span>
          ) : (
            <span className="muted">None: no organization signs in with this server</span>
          )}
        </dd>
        <dt>Managed users</dt>
        <dd data-testid="sync-managed-users">{formatCount(status.managedUsers)}</dd>
        <dt>New users</dt>
        <dd>{status.createUsers ? 'Created for matching entries' : <span className="muted">Not created (turn on in the server's Sync section)</span>}</dd>
        <dt>Last sync</dt>
        <dd data-testid="sync-last-sync">
          {lastSync ? (
            <>
              <RunWhen run={lastSync} now={now} />
              {shownBelow(lastSync) && <span className="muted"> (its outcome is below)</span>}
              {hasPlanLink(lastSync) && !shownBelow(lastSync) && (
                <>
                  {' · '}
                  <button type="button" className="link" onClick={() => onShowPlan(lastSync)}>
                    View plan
                  </button>
                </>
              )}
            </>
          ) : (
            <span className="muted">Never</span>
          )}
        </dd>
        {lastRun && lastRun.id !== lastSync?.id && !shownBelow(lastRun) && (
          <>
            <dt>Last run</dt>
            <dd data-testid="sync-last-run">
              {lastRun.kind === 'simulate' ? 'Simulation' : lastRun.kind === 'draft' ? 'Draft simulation' : 'Sync'} <RunWhen run={lastRun} now={now} />
              {lastRun.source && <span className="muted"> {sourceText(lastRun)}</span>}
              {hasPlanLink(lastRun) && (
                <>
                  {' · '}
                  <button type="button" className="link" onClick={() => onShowPlan(lastRun)}>
                    View plan
                  </button>
                </>
              )}
            </dd>
          </>
        )}
        <dt>Next scheduled run</dt>
        <dd data-testid="sync-next-run">
          {status.nextRunAt ? (
            <time dateTime={status.nextRunAt} title={formatDateTime(status.nextRunAt)}>
              {relativeFuture(status.nextRunAt, now)}
            </time>
          ) : (
            <span className="muted" data-testid="sync-schedule-note">
              {status.scheduleNote ?? 'Not scheduled'}
            </span>
          )}
        </dd>
      </dl>
      {running && <RunProgress {...running} />}
      {outcome && <RunOutcome outcome={outcome} now={now} onShowPlan={onShowPlan} held={outcome.kind === 'run' ? heldActions(outcome.run) : null} onDismiss={onDismiss} />}
      {held && showHeld && <RunOutcome outcome={{ kind: 'run', run: held }} now={now} onShowPlan={onShowPlan} held={heldActions(held)} />}
    </article>
  );
}

function hasPlanLink(run: RunSummary): boolean {
  return run.status === 'simulated' || run.status === 'applied' || run.status === 'held' || run.status === 'approved';
}
