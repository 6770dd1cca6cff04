import { AppError } from '../../../src-shared/errors';
import type { CommandSpec } from '../command';

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
    const user = directory.findUser(ctx.args[0]);
    if (!user) throw new AppError('NOT_FOUND', `No user is named "${ctx.args[0]}" (usernames are compared ignoring case). List them with: ldap-sync users`);
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
