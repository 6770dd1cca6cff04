import type { UserView } from '../../src-shared/domain/directory';
import { countsSummary, SYNC_ACTION_LABELS, SYNC_COUNT_LABELS, type PlanChange, type RunStatus, type RunSummary, type SyncCounts, type SyncProgress } from '../../src-shared/domain/sync';
import type { ErrorCode } from '../../src-shared/errors';
import { isBindAccountCode } from '../../src-shared/domain/bind-errors';
import { shortTime, table } from './format-server';
import { CANCELLED_EXIT } from './commands/server-test';
import type { CliIo } from './io';
import { CLEAR_LINE } from './terminal-text';

/** The exit status of a sync held for approval (over a deactivation limit). */
export const HELD_EXIT = 3;
export { CANCELLED_EXIT };

/** The exit status for a run that ended with `status`: 0 simulated or applied, 3 held, 130 cancelled, 1 otherwise. */
export function exitCodeOf(status: RunStatus): number {
  if (status === 'simulated' || status === 'applied') return 0;
  if (status === 'held') return HELD_EXIT;
  if (status === 'cancelled') return CANCELLED_EXIT;
  return 1;
}

export { TEXT_CHANGE_LIMIT } from './text-limits';

const count = (n: number) => n.toLocaleString('en-US');
const cell = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '–' : v.replace(/[\r\n\t]+/g, ' '));

/** A word as a POSIX shell reads it back: bare when safe, else in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9._@%+=:,/-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The command that applies a held plan exactly. */
export function approveCommand(run: Pick<RunSummary, 'id' | 'serverName'>): string {
  return `ldap-sync sync ${shellWord(run.serverName)} --approve ${run.id}`;
}

/** `850 ms`, `3.4 s`, `2 min 5 s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Every count: `3 deactivated, 0 reactivated, ...`. */
export function countsLine(c: SyncCounts): string {
  return countsSummary(c, count);
}

/** Only the counts that are not zero, or `no changes`. */
export function shortCounts(c: SyncCounts): string {
  const parts = SYNC_COUNT_LABELS.filter(([k]) => (c[k] ?? 0) > 0).map(([k, label]) => `${count(c[k])} ${label}`);
  return parts.length ? parts.join(', ') : 'no changes';
}

/** One change as the CLI's JSON shows it. */
export interface ChangeJson {
  username: string | null;
  dn: string | null;
  action: PlanChange['action'];
  from?: string;
  to?: string;
  reason?: string;
}

export function changeJson(c: PlanChange): ChangeJson {
  return {
    username: c.username,
    dn: c.dn,
    action: c.action,
    ...(c.from !== undefined && c.from !== null && { from: c.from }),
    ...(c.to !== undefined && c.to !== null && { to: c.to }),
    ...(c.reason !== undefined && c.reason !== null && { reason: c.reason }),
  };
}

/** A run as `simulate`, `sync` and `history show` print it with --json (without `changes` when none are given). */
export function runJson(run: RunSummary, changes?: Iterable<PlanChange>) {
  return {
    runId: run.id,
    server: run.serverName,
    kind: run.kind,
    trigger: run.trigger,
    source: run.source,
    status: run.status,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: run.durationMs,
    entries: run.entries,
    managedBefore: run.managedBefore,
    managedAfter: run.managedAfter,
    activeAfter: run.activeAfter,
    counts: run.counts,
    heldReason: run.heldReason,
    approveCommand: run.status === 'held' ? approveCommand(run) : null,
    relatedRunId: run.relatedRunId,
    error: run.error,
    ...(changes && { changes: Array.from(changes, changeJson) }),
  };
}

const DOCTOR_CODES: readonly ErrorCode[] = [
  'DNS_FAILED', 'CONNECT_REFUSED', 'CONNECT_FAILED', 'TIMEOUT', 'TLS_UNTRUSTED', 'TLS_FAILED', 'STARTTLS_FAILED', 'NO_SUCH_BASE', 'SIZE_LIMIT', 'TIME_LIMIT', 'LDAP_ERROR',
];
const PASSWORD_CODES: readonly ErrorCode[] = ['INVALID_CREDENTIALS', 'BIND_FAILED', 'PASSWORD_REQUIRED', 'SECRET_UNAVAILABLE'];

/** What to do about a failed run, as a command to run, or null when the message says it all. */
export function fixFor(code: ErrorCode, serverName: string): string | null {
  const name = shellWord(serverName);
  if (isBindAccountCode(code)) return `the error says what to change on the bind account in the directory; then: ldap-sync server test ${name}`;
  if (PASSWORD_CODES.includes(code)) return `check the bind DN and password (a "bindPassword" reference in a config file, or the app), then: ldap-sync server test ${name}`;
  if (DOCTOR_CODES.includes(code)) return `the connection doctor shows which stage fails and how to fix it: ldap-sync server test ${name}`;
  if (code === 'REFERRAL' || code === 'PARTIAL_RESULTS') return `point the server's URL at the directory that holds the entries (for Active Directory, the global catalog), then: ldap-sync server test ${name}`;
  if (code === 'EMPTY_RESULT') return `see what the search returns with: ldap-sync preview ${name}`;
  if (code === 'INTERNAL') return 'run again with --debug and report the problem';
  return null;
}

const HEADINGS: Partial<Record<RunStatus, (run: RunSummary) => string>> = {
  simulated: (r) => `Simulated "${r.serverName}": nothing was changed (run ${r.id}).`,
  applied: (r) => `Synchronized "${r.serverName}" (run ${r.id}).`,
  held: (r) => `Held the sync of "${r.serverName}" for approval: nothing was changed (run ${r.id}).`,
  failed: (r) => `The ${r.kind === 'simulate' ? 'simulation' : 'sync'} of "${r.serverName}" failed: nothing was changed (run ${r.id}).`,
  cancelled: (r) => `Cancelled the ${r.kind === 'simulate' ? 'simulation' : 'sync'} of "${r.serverName}": nothing was changed (run ${r.id}).`,
};

/** A table of changes: action, username (or DN), from, to, reason. */
export function changesTable(rows: readonly PlanChange[]): string {
  return table([
    ['ACTION', 'USERNAME', 'FROM', 'TO', 'REASON'],
    ...rows.map((c) => [SYNC_ACTION_LABELS[c.action] ?? c.action, cell(c.username ?? c.dn), cell(c.from), cell(c.to), cell(c.reason)]),
  ]);
}

/**
 * A run as text: what happened, the figures, the held reason with the command that approves it,
 * or the error with its fix, then the first changes (`shown`) out of `total`.
 */
export function formatRun(run: RunSummary, shown: readonly PlanChange[], total: number, opts: { all?: boolean } = {}): string {
  let out = `${(HEADINGS[run.status] ?? ((r: RunSummary) => `Run ${r.id} (${r.kind} of "${r.serverName}"): ${r.status}.`))(run)}\n`;
  const when = `${run.kind === 'simulate' ? 'Simulation' : 'Sync'} started ${shortTime(run.startedAt)} (${run.trigger})`;
  out += `  ${when}${run.durationMs !== null ? `, took ${formatDuration(run.durationMs)}` : ''}${run.entries !== null ? `, read ${count(run.entries)} ${run.entries === 1 ? 'entry' : 'entries'}` : ''}\n`;
  if (run.source !== null) out += `  Source: the snapshot "${run.source}" (the directory was not read)\n`;
  if (run.managedBefore !== null) {
    const after = run.managedAfter === null ? '' : `, ${count(run.managedAfter)} after${run.activeAfter === null ? '' : ` (${count(run.activeAfter)} active)`}`;
    out += `  Managed users: ${count(run.managedBefore)} before${after}\n`;
  }
  out += `  Changes: ${countsLine(run.counts)}\n`;
  if (run.relatedRunId && run.status === 'applied') out += `  Applied the held plan of run ${run.relatedRunId}.\n`;
  if (run.relatedRunId && run.status === 'approved') out += `  Applied by run ${run.relatedRunId}.\n`;
  if (run.status === 'held') {
    out += `\n${run.heldReason ?? 'Held for review.'}\nTo apply exactly this plan, run:\n  ${approveCommand(run)}\n`;
    out += `Or change "sync.deactivationLimit" (config apply, or the Sync screen) and synchronize again.\n`;
  }
  if (run.error && (run.status === 'failed' || run.status === 'cancelled' || run.status === 'interrupted')) {
    out += `\nError (${run.error.code}): ${run.error.message}\n`;
    const fix = run.status === 'failed' ? fixFor(run.error.code, run.serverName) : null;
    if (fix) out += `Fix: ${fix}\n`;
  }
  if (total > 0) {
    out += `\n${opts.all || shown.length >= total ? `Changes (${count(total)}):` : `First ${count(shown.length)} of ${count(total)} changes:`}\n`;
    out += changesTable(shown);
    if (shown.length < total) out += `... and ${count(total - shown.length)} more (ldap-sync history show ${run.id})\n`;
  } else if (run.status === 'simulated' || run.status === 'applied' || run.status === 'held') {
    out += '\nNo changes: the users already match the directory.\n';
  }
  return out;
}

/** One line of progress: phase, pages, entries, rate and time left. */
export function progressLine(p: SyncProgress): string {
  switch (p.phase) {
    case 'connecting':
      return 'Connecting to the directory…';
    case 'reading': {
      const of = p.expected ? ` (about ${count(p.expected)} expected)` : '';
      const eta = p.etaMs !== null ? `, about ${formatDuration(p.etaMs)} left` : '';
      return `Reading: page ${count(p.pages)}, ${count(p.entries)} entries${of}, ${count(p.rate)} entries/s${eta}`;
    }
    case 'planning':
      return `Planning: ${count(p.entries)} entries read in ${count(p.pages)} ${p.pages === 1 ? 'page' : 'pages'}`;
    case 'applying':
      return `Applying the plan (${count(p.entries)} entries)…`;
    case 'done':
      return `Done: ${count(p.entries)} entries`;
  }
}

/**
 * Shows progress on stderr: on a terminal one line redrawn in place (at most 10 times a second),
 * elsewhere (`--progress` into a file or pipe) one line per phase change and at most one a second.
 * `line` turns an update into its text (sync runs, snapshot captures, imports and comparisons).
 */
export class LinePrinter<P extends { phase: string }> {
  private last = 0;
  private phase: P['phase'] | null = null;
  private drawn = false;
  /** The latest update not shown (throttled). */
  private skipped: P | null = null;
  constructor(
    private readonly io: CliIo,
    private readonly tty: boolean,
    private readonly line: (p: P) => string,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  update(p: P): void {
    const now = this.clock();
    const changed = p.phase !== this.phase;
    if (!changed && now - this.last < (this.tty ? 100 : 1000)) {
      this.skipped = p;
      return;
    }
    // Off a terminal, the last figures of a phase are printed before the next phase begins.
    if (changed && !this.tty && this.skipped && this.skipped.phase === this.phase) this.io.stderr(`${this.line(this.skipped)}\n`);
    this.skipped = null;
    this.last = now;
    this.phase = p.phase;
    if (this.tty) {
      this.io.stderr(`${CLEAR_LINE}${this.line(p)}`);
      this.drawn = true;
    } else {
      this.io.stderr(`${this.line(p)}\n`);
    }
  }

  /** Clears the progress line on a terminal. */
  end(): void {
    if (this.tty && this.drawn) this.io.stderr(CLEAR_LINE);
    this.drawn = false;
  }
}

/** The progress of a sync run on stderr (see {@link LinePrinter}). */
export class ProgressPrinter extends LinePrinter<SyncProgress> {
  constructor(io: CliIo, tty: boolean, clock?: () => number) {
    super(io, tty, progressLine, clock);
  }
}

/** The runs of `history` as a table. */
export function historyTable(runs: readonly RunSummary[]): string {
  return table([
    ['RUN ID', 'STARTED', 'SERVER', 'KIND', 'TRIGGER', 'STATUS', 'ENTRIES', 'DURATION', 'CHANGES'],
    ...runs.map((r) => [
      r.id,
      shortTime(r.startedAt),
      r.serverName,
      r.kind,
      r.trigger,
      r.status,
      r.entries === null ? '–' : count(r.entries),
      formatDuration(r.durationMs),
      r.error ? `${r.error.code}` : shortCounts(r.counts),
    ]),
  ]);
}

/** A user as `users --json` prints it. */
export function userJson(u: UserView) {
  return {
    username: u.username,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    org: u.orgName,
    roles: u.roles,
    active: u.active,
    sourceServer: u.sourceServerName,
    dn: u.sourceDn,
    directoryId: u.directoryId,
    deactivatedAt: u.deactivatedAt,
    deactivatedBy: u.deactivatedBy,
    deactivatedReason: u.deactivatedReason,
    lastSeenAt: u.lastSeenAt,
    // Counts (the list of devices is `users show`'s "devices"): as the CSV export's devices column.
    deviceCount: u.devices,
    activeDeviceCount: u.activeDevices,
  };
}

/** Users as a table. */
export function usersTable(users: readonly UserView[]): string {
  return table([
    ['USERNAME', 'EMAIL', 'FIRST NAME', 'LAST NAME', 'ORG', 'ROLES', 'ACTIVE', 'SOURCE', 'DN', 'DIRECTORY ID', 'DEACTIVATED'],
    ...users.map((u) => [
      u.username,
      cell(u.email),
      cell(u.firstName),
      cell(u.lastName),
      u.orgName,
      u.roles.length ? u.roles.join(', ') : '–',
      u.active ? 'yes' : 'no',
      cell(u.sourceServerName),
      cell(u.sourceDn),
      cell(u.directoryId),
      u.active ? '' : `by ${u.deactivatedBy ?? 'sync'}${u.deactivatedReason ? `: ${cell(u.deactivatedReason)}` : ''}`,
    ]),
  ]);
}
