import type { CommandSpec } from '../command';
import { findOrFail } from './users';

/** `ldap-sync users relink USERNAME`: a reused username the admin says is the same person. */
export const usersRelink: CommandSpec = {
  group: 'users',
  name: 'relink',
  args: ['USERNAME'],
  summary: 'Give a user\'s account to the entry that now has their username',
  description: `For a reused username (the plan's "reused" change: the user's directory entry was
deleted and a different entry, with another directory ID, now has the username). A sync never gives
the account to the new entry on its own. When the new entry is the same person (their account was
re-created in the directory), relink: the user's stored directory ID (entryUUID, objectGUID, ...)
is forgotten, so the next sync matches them by username, stores the new entry's ID and reactivates
them if a sync deactivated them. When it is a different person, do not relink: give the new entry
another username in the directory. With --json, prints { "username", "directoryId" (the ID
forgotten), "changed" }.`,
  options: {},
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const directory = ctx.app().directory;
    const user = findOrFail(ctx);
    const changed = directory.relinkUser(user.id);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ username: user.username, directoryId: user.directoryId, changed }, null, 2)}\n`);
      return 0;
    }
    const server = user.sourceServerName ? shellWord(user.sourceServerName) : 'NAME';
    ctx.io.stdout(
      changed
        ? `Relinked ${user.username}: forgot the directory ID ${user.directoryId}. The next sync gives the account to the entry that has the username then: ldap-sync sync ${server}\n`
        : `${user.username} has no directory ID: the next sync already matches them by username.\n`,
    );
    return 0;
  },
};

/** `ldap-sync users relink-run RUN_ID`: every reused username of a run is the same person (a mass re-creation). */
export const usersRelinkRun: CommandSpec = {
  group: 'users',
  name: 'relink-run',
  args: ['RUN_ID'],
  summary: 'Relink every reused username of a run (entries re-created in bulk)',
  description: `Relinks, as "ldap-sync users relink" does, the user of every "reused" change in the plan of
run RUN_ID (see ldap-sync history show RUN_ID): for entries re-created in bulk, e.g. restored from an
LDIF file without their entryUUIDs, when every one of them is the same person as before. The next
sync gives each account to the entry that has its username then. With --json, prints { "runId",
"relinked", "usernames" }.`,
  options: {},
  async run(ctx) {
    const { relinkReusedOfRun, reusedUsersOfRun } = await import('../../store/identity-repo');
    const app = ctx.app();
    const run = app.sync.get(ctx.args[0]);
    const users = reusedUsersOfRun(app.store.db, run.id);
    const relinked = relinkReusedOfRun(app.store.db, run.id);
    const usernames = users.map((u) => u.username ?? u.userId);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ runId: run.id, relinked, usernames }, null, 2)}\n`);
      return 0;
    }
    if (users.length === 0) {
      ctx.io.stdout(`Run ${run.id} has no reused usernames: nothing to relink.\n`);
      return 0;
    }
    const { shellWord } = await import('../format-sync');
    ctx.io.stdout(`Relinked ${relinked} of the ${users.length} users of reused usernames in run ${run.id} (${usernames.slice(0, 5).join(', ')}${usernames.length > 5 ? ', ...' : ''}). The next sync gives each account to the entry that has its username: ldap-sync sync ${shellWord(run.serverName)}\n`);
    return 0;
  },
};

/** `ldap-sync users release USERNAME`: a reused username whose new entry is someone else. */
export const usersRelease: CommandSpec = {
  group: 'users',
  name: 'release',
  args: ['USERNAME'],
  summary: 'Free the username of a deactivated account for a new entry',
  description: `For a reused username whose new entry is someone else (the plan's "reused" change: the
old account was deactivated and still holds the name). The deactivated account is renamed
USERNAME~released-YYYY-MM-DD and keeps everything else (organization, roles, devices, history), so
the next sync creates a new user for the entry that has the username. An active user is refused:
they still sign in with that name. With --json, prints { "username", "releasedAs" }.`,
  options: {},
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const directory = ctx.app().directory;
    const user = findOrFail(ctx);
    const releasedAs = directory.releaseUsername(user.id);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ username: user.username, releasedAs }, null, 2)}\n`);
      return 0;
    }
    const server = user.sourceServerName ? shellWord(user.sourceServerName) : 'NAME';
    ctx.io.stdout(`Released the username ${user.username}: the deactivated account is now ${releasedAs}. The next sync creates a user for the entry named ${user.username}: ldap-sync sync ${server}\n`);
    return 0;
  },
};
