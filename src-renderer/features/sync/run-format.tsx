// How runs, statuses and plan actions read on the Sync and History screens. The renderer keeps its
// own copies of the shared lists (the shared module's value exports sit next to zod schemas, which
// stay out of the renderer bundle).
import type { RunKind, RunStatus, RunSummary, RunTrigger, SyncAction, SyncCounts, PlanFilter } from '../../../src-shared/domain/sync';
import { SYNC_ACTIONS, SYNC_ACTION_LABELS } from '../../../src-shared/domain/sync';
import { formatCount } from '../../ui/format';

export const RUN_STATUS_LIST: readonly RunStatus[] = ['running', 'simulated', 'applied', 'held', 'failed', 'cancelled', 'interrupted', 'discarded', 'approved'];

export const STATUS_LABELS: Record<RunStatus, string> = {
  running: 'Running',
  simulated: 'Simulated',
  applied: 'Applied',
  held: 'Held',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
  discarded: 'Discarded',
  approved: 'Approved',
};

/** What each status means, as a tooltip. */
export const STATUS_HELP: Record<RunStatus, string> = {
  running: 'Reading the directory or applying.',
  simulated: 'A plan was computed; nothing was changed.',
  applied: 'The plan changed the users.',
  held: 'Over a deactivation limit: nothing was changed; the plan waits for approval.',
  failed: 'A directory or script error stopped the run; nothing was changed.',
  cancelled: 'Stopped by an admin; nothing was changed.',
  interrupted: 'The app stopped during the run; nothing was changed.',
  discarded: 'A held plan an admin dropped; nothing was changed.',
  approved: 'A held plan that a later run applied.',
};

const STATUS_TONE: Record<RunStatus, string> = {
  running: 'info',
  simulated: 'info',
  applied: 'ok',
  held: 'warn',
  failed: 'bad',
  cancelled: 'muted',
  interrupted: 'bad',
  discarded: 'muted',
  approved: 'ok',
};

export const KIND_LABELS: Record<RunKind, string> = { simulate: 'Simulate', sync: 'Sync', draft: 'Draft simulation' };
export const TRIGGER_LABELS: Record<RunTrigger, string> = { manual: 'Manual', schedule: 'Schedule', cli: 'Command line', approve: 'Approval' };

/** Actions in display order with their labels. */
export const ACTIONS: readonly SyncAction[] = SYNC_ACTIONS;
export const ACTION_LABELS: Record<SyncAction, string> = SYNC_ACTION_LABELS;
export const PLAN_FILTER_LIST: readonly PlanFilter[] = ['all', ...ACTIONS];

/** A run's status as a coloured badge (tooltip says what it means). */
export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${STATUS_TONE[status]}`} title={STATUS_HELP[status]} data-testid="run-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

const ACTION_TONE: Record<SyncAction, string> = {
  deactivate: 'bad',
  reactivate: 'ok',
  create: 'info',
  move: 'neutral',
  roles: 'neutral',
  update: 'neutral',
  dn: 'neutral',
  reused: 'warn',
  error: 'bad-solid',
};

/** A plan row's action as a badge. */
export function ActionBadge({ action }: { action: SyncAction }) {
  return <span className={`badge badge-${ACTION_TONE[action]}`}>{ACTION_LABELS[action]}</span>;
}

const COUNT_PARTS: { key: keyof SyncCounts; one: string; many: string }[] = [
  { key: 'created', one: 'created', many: 'created' },
  { key: 'deactivated', one: 'deactivated', many: 'deactivated' },
  { key: 'reactivated', one: 'reactivated', many: 'reactivated' },
  { key: 'moved', one: 'moved', many: 'moved' },
  { key: 'rolesChanged', one: 'role change', many: 'role changes' },
  { key: 'updated', one: 'updated', many: 'updated' },
  { key: 'dnChanged', one: 'DN change', many: 'DN changes' },
  { key: 'reused', one: 'reused username', many: 'reused usernames' },
  { key: 'errors', one: 'error', many: 'errors' },
];

/** "30 created · 2 deactivated · 1 error", or "No changes". */
export function countsText(counts: SyncCounts): string {
  const parts = COUNT_PARTS.filter((p) => (counts[p.key] ?? 0) > 0).map((p) => `${formatCount(counts[p.key])} ${counts[p.key] === 1 ? p.one : p.many}`);
  return parts.length ? parts.join(' · ') : 'No changes';
}

/** "Simulation of Corp", "Sync of Corp". */
export function runTitle(run: Pick<RunSummary, 'kind' | 'serverName'>): string {
  const what = run.kind === 'simulate' ? 'Simulation' : run.kind === 'draft' ? 'Draft simulation' : 'Sync';
  return `${what} of ${run.serverName}`;
}

/** "from snapshot NAME" for a run that read a snapshot; null for the live directory. */
export function sourceText(run: Pick<RunSummary, 'source'>): string | null {
  return run.source ? `from snapshot ${run.source}` : null;
}

/** True when the run kept a plan to look at. */
export function hasPlan(run: RunSummary): boolean {
  return run.status === 'simulated' || run.status === 'applied' || run.status === 'held' || run.status === 'approved' || run.status === 'discarded';
}
