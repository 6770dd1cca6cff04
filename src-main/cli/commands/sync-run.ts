import type { RunSummary } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import type { CommandContext, CommandSpec } from '../command';
import { UsageError } from '../io';
import { TEXT_CHANGE_LIMIT } from '../text-limits';
import { serverOrSample } from './sample';
import { CANCELLED_EXIT } from './server-test';
import { SOURCE_OPTION, sourceOf } from './source-option';

const OUTPUT_HELP = `With --json, prints the run and its whole plan:
  { "runId", "server", "kind", "trigger", "source", "status", "startedAt", "finishedAt", "durationMs",
    "entries", "managedBefore", "managedAfter", "activeAfter",
    "counts": { "deactivated", "reactivated", "created", "moved", "rolesChanged", "updated", "errors" },
    "heldReason", "approveCommand", "relatedRunId", "error": { "code", "message" } | null,
    "changes": [ { "username", "dn", "action", "from"?, "to"?, "reason"? } ] }
Without it, prints a summary and the first ${TEXT_CHANGE_LIMIT} changes; "ldap-sync history show RUN_ID" prints them all.
Progress (pages, entries, rate, time left) goes to stderr when it is a terminal, or with --progress.`;

const PROGRESS_OPTION = { type: 'boolean', help: 'Show progress on stderr even when it is not a terminal' } as const;

/** Prints a finished run (JSON or text) and returns its exit status. */
async function report(ctx: CommandContext, run: RunSummary): Promise<number> {
  const { exitCodeOf, formatRun, runJson } = await import('../format-sync');
  const sync = ctx.app().sync;
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify(runJson(run, sync.allChanges(run.id)), null, 2)}\n`);
  } else {
    const page = sync.changes({ runId: run.id, filter: 'all', search: null, offset: 0, limit: TEXT_CHANGE_LIMIT });
    ctx.io.stdout(formatRun(run, page.rows, page.total));
  }
  return exitCodeOf(run.status);
}

/** Runs a simulation, a sync or the approval of a held plan, with progress, and reports it. */
async function runCommand(ctx: CommandContext, mode: 'simulate' | 'sync'): Promise<number> {
  const { ProgressPrinter, shellWord } = await import('../format-sync');
  const app = ctx.app();
  if (mode === 'sync' && ctx.flags.source !== undefined) {
    throw new UsageError(
      `a sync reads the live directory, never a snapshot: "--source" is for simulate and preview (ldap-sync simulate ${shellWord(ctx.args[0])} --source SNAPSHOT)`,
      ['sync'],
    );
  }
  // "Sample directory" on a store without it installs the bundled sample first (simulate only: a sync of it is refused anyway).
  const server = mode === 'simulate' ? await serverOrSample(ctx, ctx.args[0]) : app.servers.byName(ctx.args[0]);
  const source = mode === 'simulate' ? sourceOf(ctx, server, ['simulate']) : undefined;
  const approve = typeof ctx.flags.approve === 'string' ? ctx.flags.approve.trim() : null;
  const tty = ctx.io.stderrIsTTY === true;
  const printer = ctx.flags.progress === true || tty ? new ProgressPrinter(ctx.io, tty) : null;
  let run: RunSummary;
  try {
    if (approve !== null) {
      const held = app.sync.get(approve);
      if (held.serverId !== server.id) {
        throw new AppError('INVALID_INPUT', `Run ${approve} is a run of "${held.serverName}", not of "${server.name}". Approve it with: ldap-sync sync ${shellWord(held.serverName)} --approve ${approve}`);
      }
      run = await app.sync.approve(approve, { trigger: 'approve', signal: ctx.io.signal });
    } else {
      run = await app.sync.run({ serverId: server.id, mode, trigger: 'cli', source, signal: ctx.io.signal, onProgress: printer ? (p) => printer.update(p) : undefined });
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'CANCELLED') {
      printer?.end();
      if (ctx.json) ctx.io.stdout(`${JSON.stringify({ error: err.toInfo() }, null, 2)}\n`);
      else ctx.io.stderr(`Cancelled: ${err.message}\n`);
      return CANCELLED_EXIT;
    }
    if (err instanceof AppError && err.code === 'STALE_PLAN') {
      throw new AppError('STALE_PLAN', `${err.message} Run: ldap-sync sync ${shellWord(server.name)}`);
    }
    throw err;
  } finally {
    printer?.end();
  }
  return report(ctx, run);
}

/**
 * Starts a run's worker threads (the scripts', then the reader's) before the app loads: their
 * start-up (~0.3 s for the scripts' on 2 cores) then overlaps loading the app and opening the store.
 */
async function warmRun(ctx: Pick<CommandContext, 'flags' | 'io'>): Promise<void> {
  if (typeof ctx.flags.approve === 'string') return; // applies a held plan: nothing is read or evaluated
  try {
    const [{ warmScriptWorker }, { scriptLimitsFromEnv }] = await Promise.all([import('../../scripts/script-worker-handle'), import('../../scripts/limits-from-env')]);
    warmScriptWorker(scriptLimitsFromEnv(ctx.io.env));
    const { warmReadWorker } = await import('../../ldap/reader');
    warmReadWorker();
  } catch {
    // An invalid limit in the environment: the run reports it.
  }
}

/** `ldap-sync simulate NAME`: computes the plan of a sync and changes nothing. */
export const simulate: CommandSpec = {
  group: 'simulate',
  name: '',
  args: ['NAME'],
  summary: 'Show what a sync of a saved server would change, changing nothing',
  description: `Reads every entry the search of the saved server NAME (matched ignoring case) returns, runs
its scripts and works out the plan: which users would be deactivated, reactivated, created, moved
to another organization, given other roles or updated. Nothing is changed; the plan is kept in
the history.

--source SNAPSHOT reads a snapshot ("ldap-sync snapshot list") instead of the live directory: the
server's search base and filter are applied to the snapshot's entries, then its mapping and
scripts. An offline server (such as "Sample directory") always reads its own snapshot and needs no
--source. On a store without it, "ldap-sync simulate 'Sample directory'" first installs the bundled
sample directory (and says so on stderr; "ldap-sync sample remove" removes it).

${OUTPUT_HELP}

Exit status: 0 simulated, 1 failed (a directory or script problem: the error says how to fix it),
130 cancelled with Ctrl+C.`,
  options: { source: SOURCE_OPTION, progress: PROGRESS_OPTION },
  run: (ctx) => runCommand(ctx, 'simulate'),
  warm: warmRun,
};

/** `ldap-sync sync NAME`: synchronizes one server now, or applies a held plan with --approve. */
export const sync: CommandSpec = {
  group: 'sync',
  name: '',
  args: ['NAME'],
  summary: 'Synchronize the users of a saved server now',
  description: `Reads every entry the search of the saved server NAME (matched ignoring case) returns and
applies the plan to the users in one transaction. A plan that deactivates more users than the
deactivation limits allow ("sync.deactivationLimit" in the config file) is held instead: nothing
is changed, and the output names the command that applies exactly that plan:
  ldap-sync sync NAME --approve RUN_ID
A plan made before a later sync is out of date and cannot be approved; synchronize again.
A sync always reads the live directory: an offline server (one that only has a snapshot) cannot be
synchronized, and --source is refused (simulate over a snapshot instead).

${OUTPUT_HELP}

Exit status: 0 applied, 3 held for approval, 1 failed (nothing was changed; the error says how to
fix it), 130 cancelled with Ctrl+C (nothing was changed).`,
  options: {
    approve: { type: 'string', valueName: 'RUN_ID', help: 'Apply exactly the held plan of run RUN_ID (of server NAME)' },
    progress: PROGRESS_OPTION,
    // Accepted only to be refused with a clear message (exit 2): a sync never reads a snapshot.
    source: { ...SOURCE_OPTION, hidden: true },
  },
  run: (ctx) => runCommand(ctx, 'sync'),
  warm: warmRun,
};
