import { randomUUID } from 'node:crypto';
import { countsSummary, type RunSummary, type RunTrigger, type SyncProgress } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';

/** A scheduled run as the scheduler asks for it (a subset of SyncService's RunOptions). */
export interface ScheduledRun {
  serverId: string;
  mode: 'sync';
  trigger: RunTrigger;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
}

/** What the scheduler needs of the sync service (the real `SyncService` fits). */
export interface SchedulerSync {
  /** The servers whose scheduled sync is due at `now`. */
  dueServers(now: Date): { serverId: string; serverName: string }[];
  run(opts: ScheduledRun): Promise<RunSummary>;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  sync: SchedulerSync;
  /** The clock that decides what is due and stamps the log lines (default: the system clock). */
  now?: () => Date;
  /** Where one line per run start and end goes (and why a check could not run). */
  log?: (line: string) => void;
  /** How often to check what is due, in milliseconds (default 30 s). */
  tickMs?: number;
  /** Progress of the scheduled run in progress. */
  onProgress?: (p: SyncProgress) => void;
  /** A scheduled run ended (any status). */
  onFinished?: (run: RunSummary) => void;
}

/** How often the schedule is checked by default. The shortest schedule is every 5 minutes. */
export const DEFAULT_TICK_MS = 30_000;

/** The log line of a finished run: server, status, time, entries and counts, or why it was held or failed. */
export function runEndLine(run: RunSummary): string {
  const took = run.durationMs === null ? '' : ` in ${(run.durationMs / 1000).toFixed(1)} s`;
  const entries = run.entries === null ? '' : `, ${run.entries} entries`;
  const counts = countsSummary(run.counts);
  let line = `${run.serverName}: sync ${run.status}${took}${entries}; ${counts} (run ${run.id})`;
  if (run.status === 'held') line += `. ${run.heldReason ?? 'Held for review.'} Approve with: ldap-sync sync "${run.serverName}" --approve ${run.id}`;
  if (run.error) line += `. ${run.error.code}: ${run.error.message}`;
  return line;
}

/**
 * Runs the sync schedule: every tick asks the sync service which servers are due and synchronizes
 * them one after the other (never two at once, in this process; the store's run lock keeps other
 * processes out). A server another process is syncing (BUSY) is tried again at the next tick.
 * `stop()` cancels the run in progress through its AbortSignal and waits for it to end.
 */
export class Scheduler {
  private readonly now: () => Date;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<RunSummary[]> | null = null;
  private controller: AbortController | null = null;
  private running = false;
  /** Set by stop(): no run starts until start() is called again. */
  private stopping = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.tickMs = opts.tickMs ?? DEFAULT_TICK_MS;
  }

  /** True between start() and stop(). */
  get started(): boolean {
    return this.running;
  }

  /** Checks at once, then every `tickMs` after the previous check ended. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.arm(0);
  }

  /** Stops the timer, cancels the run in progress and waits until it has ended. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.controller?.abort();
    await this.current?.catch(() => undefined);
  }

  /**
   * Runs every server that is due now, one after the other, and resolves with their runs. A tick
   * already in progress is joined rather than started twice. Usable without start() (`daemon --once`).
   */
  tick(): Promise<RunSummary[]> {
    if (this.current) return this.current;
    const p = this.runDue().finally(() => {
      this.current = null;
    });
    this.current = p;
    return p;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick().finally(() => {
        if (this.running) this.arm(this.tickMs);
      });
    }, ms);
  }

  private log(text: string): void {
    this.opts.log?.(`${this.now().toISOString()} ${text}`);
  }

  private async runDue(): Promise<RunSummary[]> {
    const done: RunSummary[] = [];
    let due: { serverId: string; serverName: string }[];
    try {
      due = this.opts.sync.dueServers(this.now());
    } catch (err) {
      this.log(`cannot read the schedule: ${err instanceof Error ? err.message : String(err)}`);
      return done;
    }
    for (const server of due) {
      if (this.stopping) break; // a stopping scheduler starts nothing new
      const controller = new AbortController();
      this.controller = controller;
      const runId = randomUUID();
      this.log(`${server.serverName}: sync started (run ${runId}, scheduled)`);
      try {
        const run = await this.opts.sync.run({ serverId: server.serverId, mode: 'sync', trigger: 'schedule', runId, signal: controller.signal, onProgress: this.opts.onProgress });
        this.log(runEndLine(run));
        done.push(run);
        try {
          this.opts.onFinished?.(run);
        } catch (err) {
          this.log(`${server.serverName}: could not announce the end of run ${run.id}: ${err instanceof Error ? err.message : String(err)}`);
        }
      } catch (err) {
        if (err instanceof AppError && err.code === 'BUSY') {
          this.log(`${server.serverName}: sync not started: ${err.message} Trying again at the next check.`);
          break; // the lock is held: every other due server would be refused too
        }
        this.log(`${server.serverName}: sync not started: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        if (this.controller === controller) this.controller = null;
      }
    }
    return done;
  }
}
