import type { RunSummary } from '../../../src-shared/domain/sync';
import type { CommandSpec } from '../command';

/** The exit status of `daemon --once`: the worst of its runs (failed 1, cancelled 130, held 3), else 0. */
export async function onceExitCode(runs: readonly RunSummary[]): Promise<number> {
  const { CANCELLED_EXIT, exitCodeOf, HELD_EXIT } = await import('../format-sync');
  const codes = runs.map((r) => exitCodeOf(r.status));
  if (codes.includes(1)) return 1;
  if (codes.includes(CANCELLED_EXIT)) return CANCELLED_EXIT;
  if (codes.includes(HELD_EXIT)) return HELD_EXIT;
  return 0;
}

/** `ldap-sync daemon`: runs the sync schedule without the app. */
export const daemon: CommandSpec = {
  group: 'daemon',
  name: '',
  args: [],
  summary: 'Run the sync schedule headless, until stopped',
  description: `Runs the sync schedule ("sync.every" in the config file, or the Sync screen) without the app:
every server that manages an organization (or creates users) is synchronized when its time comes,
one at a time. Logs one line when each run starts and one when it ends, with its status and counts.
A held plan waits for "ldap-sync sync NAME --approve RUN_ID". A server another process is
synchronizing is tried again at the next check (every 30 seconds).

Runs until Ctrl+C or SIGTERM: the run in progress is then cancelled cleanly (nothing of it is
applied) and the daemon exits with status 0.

--once synchronizes whatever is due now and exits, for cron: 0 when every run applied (or nothing
was due), 3 when a plan was held, 1 when a run failed, 130 when cancelled.
With --json, each finished run is printed as one line of JSON (the log lines go to stderr).`,
  options: {
    once: { type: 'boolean', help: 'Run what is due now, then exit' },
  },
  async run(ctx) {
    const { describeEvery } = await import('../../../src-shared/domain/sync');
    const { Scheduler } = await import('../../sync/scheduler');
    const { runJson } = await import('../format-sync');
    const app = ctx.app();
    // With --json, stdout carries one JSON document per finished run and the log goes to stderr.
    const log = (line: string) => (ctx.json ? ctx.io.stderr(`${line}\n`) : ctx.io.stdout(`${line}\n`));
    const scheduler = new Scheduler({
      sync: app.sync,
      log,
      onFinished: ctx.json ? (run) => ctx.io.stdout(`${JSON.stringify(runJson(run))}\n`) : undefined,
    });
    const signal = ctx.io.signal;
    const overview = app.sync.overview();
    const stamp = () => new Date().toISOString();
    const schedulable = overview.servers.filter((s) => s.nextRunAt !== null);
    log(`${stamp()} ldap-sync daemon${ctx.flags.once ? ' --once' : ''}: store ${app.store.file}, schedule ${describeEvery(overview.settings.every)}`);
    if (schedulable.length === 0) {
      log(
        `${stamp()} no server is scheduled: ${overview.settings.every === 'never' ? 'the schedule is "never"' : 'each is offline, manages nobody, holds a plan or waits for a first sync by hand (below)'}`,
      );
    }
    for (const s of schedulable) log(`${stamp()} ${s.serverName}: next sync ${s.nextRunAt}`);
    // Servers left out, and why (a new server waits for its first sync by hand).
    for (const s of overview.servers) if (s.nextRunAt === null && s.scheduleNote && overview.settings.every !== 'never') log(`${stamp()} ${s.serverName}: not scheduled: ${s.scheduleNote}`);

    if (ctx.flags.once === true) {
      const onAbort = () => void scheduler.stop();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const runs = await scheduler.tick();
        if (runs.length === 0 && schedulable.length > 0) log(`${stamp()} nothing is due now`);
        return await onceExitCode(runs);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    }

    scheduler.start();
    await new Promise<void>((resolve) => {
      if (!signal || signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    log(`${stamp()} stopping: cancelling the run in progress, if any`);
    await scheduler.stop();
    log(`${stamp()} stopped`);
    return 0;
  },
};
