/**
 * Synchronization: runs (simulate, sync, draft simulation), their per-user plans, progress,
 * and the global sync settings (schedule, deactivation limits, registrants not found).
 * Pure types and schemas: shared by main, the renderer and the CLI.
 */
import { z } from 'zod';
import type { ErrorInfo } from '../errors';
import type { SyncAction, SyncCounts } from './sync-actions';

export { SYNC_ACTIONS, emptyCounts, type SyncAction, type SyncCounts } from './sync-actions';

/** Labels for the plan view's filters and the CLI's text output. */
export const SYNC_ACTION_LABELS: Record<SyncAction, string> = {
  deactivate: 'Deactivate',
  reactivate: 'Reactivate',
  create: 'Create',
  move: 'Move',
  roles: 'Roles',
  update: 'Update',
  dn: 'DN change',
  reused: 'Reused username',
  error: 'Error',
};

/** `simulate` and `draft` apply nothing; `sync` applies its plan unless it is held. */
export type RunKind = 'simulate' | 'sync' | 'draft';
/** Who started a run. */
export type RunTrigger = 'manual' | 'schedule' | 'cli' | 'approve';
/**
 * running: reading the directory or applying; simulated: a plan computed and kept; applied: the plan
 * changed the store; held: over a deactivation limit, waiting for approval; failed: a directory or
 * script-engine error, nothing changed; cancelled: stopped by the admin, nothing changed;
 * interrupted: the process died during the run, nothing changed; discarded: a held plan the admin
 * dropped; approved: a held plan that a later run applied.
 */
export const RUN_STATUSES = ['running', 'simulated', 'applied', 'held', 'failed', 'cancelled', 'interrupted', 'discarded', 'approved'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];


/** Each count with the words that follow its figure in a run summary, in display order. */
export const SYNC_COUNT_LABELS: readonly (readonly [keyof SyncCounts, string])[] = [
  ['deactivated', 'deactivated'],
  ['reactivated', 'reactivated'],
  ['created', 'created'],
  ['moved', 'moved'],
  ['rolesChanged', 'roles changed'],
  ['updated', 'updated'],
  ['dnChanged', 'DN changed'],
  ['reused', 'reused usernames'],
  ['errors', 'errors'],
];

/** Counts a summary names only when they are not zero (rare, and most runs have none). */
const NAMED_WHEN_ANY: ReadonlySet<keyof SyncCounts> = new Set(['dnChanged', 'reused']);

/**
 * Every count of a run summary: `3 deactivated, 0 reactivated, ...`, each figure written by `num`;
 * DN changes and reused usernames only when there are some.
 */
export function countsSummary(c: SyncCounts, num: (n: number) => string = String): string {
  return SYNC_COUNT_LABELS.filter(([k]) => !NAMED_WHEN_ANY.has(k) || (c[k] ?? 0) > 0)
    .map(([k, label]) => `${num(c[k] ?? 0)} ${label}`)
    .join(', ');
}

/** One row of a plan: one change to one user (a user may have several rows: a move and a role change). */
export interface PlanChange {
  /** Order in the plan (0-based). */
  seq: number;
  /** The user's username (null for an entry that gives no user, e.g. no username value). */
  username: string | null;
  /** The user the change is about: read back for a reused username only (the Relink action names them). */
  userId?: string | null;
  /** The directory entry the change comes from (null for a user the search no longer returns). */
  dn: string | null;
  action: SyncAction;
  /**
   * Before and after, as text: an organization name, a role list, `field: value`, the old and new DN
   * (`dn`), the old account's and the new entry's directory IDs (`reused`), ...
   */
  from?: string;
  to?: string;
  /** Why: "not returned by the search", "Active script returned false", an error message, ... */
  reason?: string;
}

/** One run as history lists it. */
export interface RunSummary {
  id: string;
  serverId: string | null;
  serverName: string;
  kind: RunKind;
  trigger: RunTrigger;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Entries the search returned (null when the run failed before the end of the search). */
  entries: number | null;
  /** Users of organizations this server authenticates, before the run. */
  managedBefore: number | null;
  /** Managed and active users after the run (as planned, for simulations). */
  managedAfter: number | null;
  activeAfter: number | null;
  counts: SyncCounts;
  error: ErrorInfo | null;
  /** Why a sync was held (the limit it went over). */
  heldReason: string | null;
  /** For a run that applied a held plan: the held run's id; for a held run once applied: the applying run's id. */
  relatedRunId: string | null;
  /** The snapshot the run read, by name (null: the live directory). */
  source: string | null;
}

/** What a progress event says while a run reads the directory and applies. */
export interface SyncProgress {
  runId: string;
  serverId: string;
  phase: 'connecting' | 'reading' | 'planning' | 'applying' | 'done';
  pages: number;
  entries: number;
  /** Entries per second so far. */
  rate: number;
  /** Entries expected (the previous successful run's count), null when unknown. */
  expected: number | null;
  /** Estimated milliseconds left (null when unknown). */
  etaMs: number | null;
}

/** The filters of the plan view. */
export const PLAN_FILTERS = ['all', 'deactivate', 'reactivate', 'create', 'move', 'roles', 'update', 'dn', 'reused', 'error'] as const;
export type PlanFilter = (typeof PLAN_FILTERS)[number];

/** One slice of a run's plan. */
export interface PlanPage {
  total: number;
  offset: number;
  rows: PlanChange[];
  /** Rows per action in the whole plan (for the filter chips). */
  byAction: Record<SyncAction, number>;
}

/** One point of the managed / active users chart. */
export interface ChartPoint {
  at: string;
  managed: number;
  active: number;
  /** The server the run synchronized (the chart of all servers draws one line per server). */
  serverId: string | null;
  serverName: string | null;
}

// ---------------------------------------------------------------------------------------------
// Settings

/** `never`, or a number and a unit: `30m`, `12h`, `1d`. Minutes from 5, at most 365 days. */
export const ScheduleEvery = z
  .string()
  .trim()
  .regex(/^(never|[1-9]\d{0,4}[mhd])$/, 'use never or a number with m, h or d, e.g. 30m, 12h, 1d')
  .refine((v) => v === 'never' || everyToMs(v)! >= 5 * 60_000, 'the shortest schedule is every 5 minutes')
  .refine((v) => v === 'never' || everyToMs(v)! <= 365 * 86_400_000, 'the longest schedule is every 365 days');

/** Milliseconds of a schedule (`12h` -> 43,200,000), null for `never` or an invalid text. */
export function everyToMs(every: string): number | null {
  const m = /^([1-9]\d{0,4})([mhd])$/.exec(every.trim());
  if (!m) return null;
  const unit = m[2] === 'm' ? 60_000 : m[2] === 'h' ? 3_600_000 : 86_400_000;
  return Number(m[1]) * unit;
}

/** "every 12 hours", "never". */
export function describeEvery(every: string): string {
  const m = /^([1-9]\d{0,4})([mhd])$/.exec(every.trim());
  if (!m) return 'never';
  const n = Number(m[1]);
  const unit = m[2] === 'm' ? 'minute' : m[2] === 'h' ? 'hour' : 'day';
  return `every ${n === 1 ? '' : `${n} `}${unit}${n === 1 ? '' : 's'}`;
}

/** A sync plan that deactivates more than any of these is held for approval. */
export const DeactivationLimit = z.object({
  /** More than this percentage of the managed users (0-100). */
  percent: z.number().min(0).max(100),
  /** More than this many users. */
  count: z.number().int().min(0).max(10_000_000),
  /** The search returned this percentage fewer entries than at the last successful sync. */
  dropPercent: z.number().min(0).max(100),
});
export type DeactivationLimit = z.infer<typeof DeactivationLimit>;

/** What sign-in does with someone the directory search does not find (takes effect with the sign-in path). */
export const RegistrantsNotFound = z.discriminatedUnion('action', [
  z.object({ action: z.literal('deny') }),
  z.object({ action: z.literal('placeInOrg'), org: z.string().trim().min(1).max(200) }),
]);
export type RegistrantsNotFound = z.infer<typeof RegistrantsNotFound>;

/** The global sync settings. */
export const SyncSettings = z.object({
  every: ScheduleEvery,
  deactivationLimit: DeactivationLimit,
  registrantsNotFound: RegistrantsNotFound,
});
export type SyncSettings = z.infer<typeof SyncSettings>;

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  every: '12h',
  deactivationLimit: { percent: 10, count: 500, dropPercent: 50 },
  registrantsNotFound: { action: 'deny' },
};

/** The Sync screen's view of one server. */
export interface ServerSyncStatus {
  serverId: string;
  serverName: string;
  /** Organizations that use this server for authentication. */
  managedOrgs: string[];
  managedUsers: number;
  createUsers: boolean;
  /** Offline servers are only simulated (over their snapshot), never synchronized or scheduled. */
  offline: boolean;
  lastRun: RunSummary | null;
  /** The last run that applied a plan. */
  lastSync: RunSummary | null;
  /** A held plan waiting for approval. */
  held: RunSummary | null;
  /** When the schedule runs this server next (null: never, or nothing to manage). */
  nextRunAt: string | null;
  /** Why the schedule does not run it (offline, manages nobody, schedule off, a held plan, no first sync by hand yet), or null. */
  scheduleNote: string | null;
}

/** Everything the Sync screen shows. */
export interface SyncOverview {
  settings: SyncSettings;
  servers: ServerSyncStatus[];
  /** The run in progress, if any (in this process or another one sharing the store). */
  running: { runId: string; serverId: string | null; kind: RunKind; trigger: RunTrigger; startedAt: string; pid: number } | null;
}
