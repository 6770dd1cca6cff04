import type { RunSummary } from '../../../src-shared/domain/sync';
import { AppError } from '../../../src-shared/errors';
import type { AppContext } from '../../app-context';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';

/** How many runs `history` lists without --limit, and at most. */
export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 500;

/** `ldap-sync history`: the latest runs. */
export const history: CommandSpec = {
  group: 'history',
  name: '',
  args: [],
  summary: 'List the latest simulations and syncs',
  description: `Lists the latest runs, newest first: run id, start, server, kind (simulate or sync), what
started it (manual: the app; schedule; cli; approve), status (simulated, applied, held, failed,
cancelled, interrupted, discarded, approved), entries read, duration and changes.

With --json, prints { "total", "runs": [ { "id", "serverName", "kind", "trigger", "status",
"startedAt", "finishedAt", "durationMs", "entries", "counts", "error", "heldReason", ... } ] }.`,
  options: {
    server: { type: 'string', valueName: 'NAME', help: 'Only the runs of this server' },
    limit: { type: 'string', valueName: 'N', help: `How many runs to list (default ${DEFAULT_HISTORY_LIMIT}, at most ${MAX_HISTORY_LIMIT})` },
  },
  async run(ctx) {
    const text = ctx.flags.limit;
    let limit = DEFAULT_HISTORY_LIMIT;
    if (text !== undefined) {
      if (typeof text !== 'string' || !/^\d+$/.test(text.trim()) || Number(text) < 1 || Number(text) > MAX_HISTORY_LIMIT) {
        throw new UsageError(`--limit needs a whole number from 1 to ${MAX_HISTORY_LIMIT}, not "${String(text)}"`, ['history']);
      }
      limit = Number(text);
    }
    const { historyTable } = await import('../format-sync');
    const app = ctx.app();
    const server = typeof ctx.flags.server === 'string' ? app.servers.byName(ctx.flags.server) : null;
    const page = app.sync.history({ serverId: server?.id ?? null, status: null, offset: 0, limit });
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(page, null, 2)}\n`);
      return 0;
    }
    if (page.total === 0) {
      ctx.io.stdout(server ? `No runs of "${server.name}" yet.\n` : 'No runs yet. Try: ldap-sync simulate NAME\n');
      return 0;
    }
    ctx.io.stdout(historyTable(page.runs));
    if (page.total > page.runs.length) ctx.io.stdout(`\nShowing the latest ${page.runs.length} of ${page.total.toLocaleString('en-US')} runs; --limit N shows more.\n`);
    return 0;
  },
};

/** The run RUN_ID, or NOT_FOUND naming how to list the runs. */
function runOrFail(sync: AppContext['sync'], text: string): RunSummary {
  const id = text.trim();
  try {
    return sync.get(id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') throw new AppError('NOT_FOUND', `No run has the id "${id}". List the runs with: ldap-sync history`);
    throw err;
  }
}

/** `ldap-sync history show RUN_ID`: one run with all its changes. */
export const historyShow: CommandSpec = {
  group: 'history',
  name: 'show',
  args: ['RUN_ID'],
  summary: 'Show one run with all its changes',
  description: `Prints the run RUN_ID (from "ldap-sync history" or the output of simulate and sync): what
happened, its figures, why it was held or failed, and every change of its plan.

With --json, prints the run as "ldap-sync sync --json" does, with every change. With --csv, prints
the changes as CSV (seq, username, action, from, to, reason, dn), as the app's Export does.`,
  options: {
    csv: { type: 'boolean', help: 'Print the changes as CSV' },
  },
  async run(ctx) {
    if (ctx.flags.csv === true && ctx.json) throw new UsageError('give --json or --csv, not both', ['history', 'show']);
    const { formatRun, runJson } = await import('../format-sync');
    const sync = ctx.app().sync;
    const run = runOrFail(sync, ctx.args[0]);
    if (ctx.flags.csv === true) {
      ctx.io.stdout(sync.exportRun(run.id, 'csv').text);
      return 0;
    }
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(runJson(run, sync.allChanges(run.id)), null, 2)}\n`);
      return 0;
    }
    const changes = [...sync.allChanges(run.id)];
    ctx.io.stdout(formatRun(run, changes, changes.length, { all: true }));
    return 0;
  },
};

/** `ldap-sync history discard RUN_ID`: drops a held plan. */
export const historyDiscard: CommandSpec = {
  group: 'history',
  name: 'discard',
  args: ['RUN_ID'],
  summary: 'Drop a held plan without applying it',
  description: `Drops the plan of the held sync RUN_ID (one over a deactivation limit, waiting for
"ldap-sync sync NAME --approve RUN_ID"): nothing is changed, the run stays in the history as
discarded, and the schedule plans that server again at its next sync. Only a held run can be
discarded (exit 1 otherwise). With --json, prints the run as "ldap-sync history show --json" does,
without its changes.`,
  options: {},
  async run(ctx) {
    const { runJson, shellWord } = await import('../format-sync');
    const sync = ctx.app().sync;
    const held = runOrFail(sync, ctx.args[0]);
    if (held.status !== 'held') {
      const hint = held.status === 'approved' ? ' It was approved already.' : held.status === 'discarded' ? ' It was discarded already.' : '';
      throw new AppError('CONFLICT', `Run ${held.id} of "${held.serverName}" is ${held.status}, not held: only a held plan can be discarded.${hint}`);
    }
    const run = sync.discard(held.id);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(runJson(run), null, 2)}\n`);
    else ctx.io.stdout(`Discarded the held plan of run ${run.id} ("${run.serverName}"): nothing was changed. Synchronize again with: ldap-sync sync ${shellWord(run.serverName)}\n`);
    return 0;
  },
};
