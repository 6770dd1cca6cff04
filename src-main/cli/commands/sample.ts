import type { ServerView } from '../../../src-shared/domain/server';
import { AppError } from '../../../src-shared/errors';
import type { AppContext } from '../../app-context';
import { nameKey } from '../../store/name-key';
import type { CommandContext, CommandSpec } from '../command';

/**
 * The sample's server name for the help text: services/sample-service.ts's SAMPLE_SERVER_NAME,
 * spelled out so that the help loads none of the store's code (the commands use the real one).
 */
const SAMPLE_SERVER_NAME = 'Sample directory';

const REMOVE_HINT = 'Remove it with: ldap-sync sample remove';

/** The sample's server and snapshot, once installed. */
function installedSample(app: AppContext, serverId: string) {
  const server = app.servers.get(serverId);
  const snapshot = server.snapshotId ? app.snapshots.list().find((s) => s.id === server.snapshotId) : undefined;
  return { server, snapshot };
}

/**
 * The saved server NAME (ignoring case). On a store where no server has that name and the sample
 * is not installed, `"Sample directory"` installs the bundled sample first, saying so on stderr.
 */
export async function serverOrSample(ctx: CommandContext, name: string): Promise<ServerView> {
  const app = ctx.app();
  const sample = await import('../../services/sample-service');
  try {
    return app.servers.byName(name);
  } catch (err) {
    const offer = err instanceof AppError && err.code === 'NOT_FOUND' && nameKey(name) === nameKey(sample.SAMPLE_SERVER_NAME) && app.sample.status().serverId === null;
    if (!offer) throw err;
  }
  const { serverId } = await app.sample.install();
  const { server, snapshot } = installedSample(app, serverId);
  const entries = snapshot ? `, ${snapshot.entries.toLocaleString('en-US')} entries` : '';
  ctx.io.stderr(`Installed the bundled sample directory as the offline server "${server.name}" (a fictional company${entries}, with its organizations and roles). ${REMOVE_HINT}\n`);
  return server;
}

/** `ldap-sync sample install`: adds the bundled sample directory. */
export const sampleInstall: CommandSpec = {
  group: 'sample',
  name: 'install',
  args: [],
  summary: 'Add the bundled sample directory (an offline server to try things on)',
  description: `Adds the bundled sample directory: the people of a fictional company as a snapshot, the
offline server "${SAMPLE_SERVER_NAME}" over it with example Active, Org name and Role name scripts,
and matching organizations (one per office, signing in with the sample server) and roles. An
offline server never connects to anything: preview and simulate read its snapshot, and a sync is
refused. "ldap-sync simulate '${SAMPLE_SERVER_NAME}'" installs it by itself on a store without it.
Installing again changes nothing. "ldap-sync sample remove" removes everything it added.

With --json, prints { "installed" (false when it was already there), "server", "serverId",
"snapshot", "entries" }.`,
  options: {},
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const app = ctx.app();
    const before = app.sample.status().serverId;
    const { serverId } = await app.sample.install();
    const { server, snapshot } = installedSample(app, serverId);
    if (ctx.json) {
      const out = { installed: before === null, server: server.name, serverId, snapshot: snapshot?.name ?? null, entries: snapshot?.entries ?? null };
      ctx.io.stdout(`${JSON.stringify(out, null, 2)}\n`);
      return 0;
    }
    if (before !== null) {
      ctx.io.stdout(`The sample directory is already installed as "${server.name}". ${REMOVE_HINT}\n`);
      return 0;
    }
    const over = snapshot ? ` over the snapshot "${snapshot.name}" (${snapshot.entries.toLocaleString('en-US')} entries)` : '';
    ctx.io.stdout(
      `Installed the sample directory: the offline server "${server.name}"${over}, its organizations and roles.\n` +
        `Try: ldap-sync preview ${shellWord(server.name)}   or   ldap-sync simulate ${shellWord(server.name)}\n${REMOVE_HINT}\n`,
    );
    return 0;
  },
};

/** `ldap-sync sample remove`: removes what the sample added. */
export const sampleRemove: CommandSpec = {
  group: 'sample',
  name: 'remove',
  args: [],
  summary: 'Remove the sample directory and everything it added',
  description: `Removes what "ldap-sync sample install" added: the sample's server, its snapshot and its
organizations (the roles stay; they are the standard ones). Your own servers, organizations and
snapshots are left alone; an organization of yours inside a sample one moves to the top level.
Refused while users live in a sample organization. Removing a sample that is not there does nothing.

With --json, prints { "removed" }.`,
  options: {},
  async run(ctx) {
    const { removed } = ctx.app().sample.remove();
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ removed }, null, 2)}\n`);
    else ctx.io.stdout(removed ? 'Removed the sample directory: its server, snapshot and organizations (the roles stay).\n' : 'The sample directory is not installed: nothing to remove.\n');
    return 0;
  },
};
