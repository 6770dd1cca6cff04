import { useEffect, useRef } from 'react';
import type { RunSummary } from '../../../src-shared/domain/sync';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount, formatDateTime, formatDuration } from '../../ui/format';
import { PlanView } from '../sync/PlanView';
import { countsText, hasPlan, KIND_LABELS, runTitle, sourceText, StatusBadge, TRIGGER_LABELS } from '../sync/run-format';

/** Props of {@link RunDetail}. */
export interface RunDetailProps {
  run: RunSummary;
  onOpenRun: (runId: string) => void;
  onClose: () => void;
}

/** One run of history: its summary (times, counts, error, held reason, related run) and its plan. */
export function RunDetail({ run, onOpenRun, onClose }: RunDetailProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.scrollIntoView({ block: 'nearest' });
    headingRef.current?.focus();
  }, [run.id]);

  let related: string | null = null;
  if (run.relatedRunId) related = run.trigger === 'approve' ? 'Applies the plan held by run' : run.status === 'approved' ? 'Applied by run' : 'Related run';

  return (
    <section className="panel run-detail" aria-labelledby="run-detail-title" data-testid="run-detail">
      <div className="panel-head">
        <h3 id="run-detail-title" ref={headingRef} tabIndex={-1}>
          {runTitle(run)} <StatusBadge status={run.status} />
        </h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl className="facts facts-wide">
        <dt>Started</dt>
        <dd>{formatDateTime(run.startedAt)}</dd>
        <dt>Finished</dt>
        <dd>{run.finishedAt ? formatDateTime(run.finishedAt) : <span className="muted">not finished</span>}</dd>
        <dt>Duration</dt>
        <dd>{run.durationMs !== null ? formatDuration(run.durationMs) : '—'}</dd>
        <dt>Kind, trigger</dt>
        <dd>
          {KIND_LABELS[run.kind]}, {TRIGGER_LABELS[run.trigger].toLowerCase()}
        </dd>
        <dt>Entries</dt>
        <dd>
          {run.entries !== null ? formatCount(run.entries) : '—'} <span className="muted">{sourceText(run) ?? 'from the live directory'}</span>
        </dd>
        <dt>Managed users</dt>
        <dd>
          {run.managedBefore !== null ? formatCount(run.managedBefore) : '—'} → {run.managedAfter !== null ? formatCount(run.managedAfter) : '—'}
          {run.activeAfter !== null && ` (${formatCount(run.activeAfter)} active after)`}
          {run.kind !== 'sync' && <span className="muted"> as planned</span>}
        </dd>
        <dt>Changes</dt>
        <dd data-testid="run-detail-counts">{countsText(run.counts)}</dd>
        {related && (
          <>
            <dt>{related}</dt>
            <dd>
              <button type="button" className="link mono" onClick={() => onOpenRun(run.relatedRunId!)}>
                {run.relatedRunId}
              </button>
            </dd>
          </>
        )}
        <dt>Run ID</dt>
        <dd className="mono">{run.id}</dd>
      </dl>
      {run.error && <ErrorBox error={run.error} lead={run.status === 'failed' ? 'The run failed; nothing was changed.' : undefined} testId="run-detail-error" />}
      {run.heldReason && (
        <div className="held-box">
          <p>
            <strong>{run.status === 'held' ? 'Held for approval:' : 'Was held:'}</strong> {run.heldReason}
          </p>
          {run.status === 'held' && <p className="muted">Apply or discard it on the Sync screen.</p>}
        </div>
      )}
      {hasPlan(run) ? <PlanView key={run.id} runId={run.id} /> : <p className="muted">This run kept no plan.</p>}
    </section>
  );
}
