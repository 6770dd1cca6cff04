import type { UserView } from '../../../src-shared/domain/directory';
import { AppError } from '../../../src-shared/errors';
import type { CommandContext, CommandSpec } from '../command';

/** `ldap-sync users`: every user of the store. */
export const users: CommandSpec = {
  group: 'users',
  name: '',
  args: [],
  summary: 'List the users, their organization, roles and status',
  description: `Lists every user of the store, ordered by username: email, first and last name,
organization, roles, whether they are active, the LDAP server whose sync manages them, their
entry's DN and directory id (entryUUID, objectGUID, nsUniqueId or ipaUniqueID), and why a deactivated user was
deactivated (by a sync, or by an admin).

--status active or --status deactivated lists only those users (as the app's Status filter).

With --json, prints an array of { "username", "email", "firstName", "lastName", "org", "roles",
"active", "sourceServer", "dn", "directoryId", "deactivatedAt", "deactivatedBy",
"deactivatedReason", "lastSeenAt" }.`,
  options: {
    status: { type: 'string', valueName: 'STATUS', help: 'Only active or only deactivated users: active | deactivated' },
  },
  async run(ctx) {
    const { userJson, usersTable } = await import('../format-sync');
    const status = ctx.flags.status;
    if (status !== undefined && status !== 'active' && status !== 'deactivated') {
      throw new AppError('INVALID_INPUT', `--status takes "active" or "deactivated", not "${String(status)}".`);
    }
    const list = [...ctx.app().directory.allUsers()].filter((u) => status === undefined || u.active === (status === 'active'));
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(list.map(userJson), null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      ctx.io.stdout(status ? `No ${status} users.\n` : 'No users yet. A sync creates or manages them: ldap-sync sync NAME\n');
      return 0;
    }
    const active = list.filter((u) => u.active).length;
    ctx.io.stdout(`${usersTable(list)}\n${list.length.toLocaleString('en-US')} users, ${active.toLocaleString('en-US')} active\n`);
    return 0;
  },
};

/** The user named by the command's first argument (ignoring case), or NOT_FOUND naming the fix. */
export function findOrFail(ctx: CommandContext): UserView {
  const user = ctx.app().directory.findUser(ctx.args[0]);
  if (!user) throw new AppError('NOT_FOUND', `No user is named "${ctx.args[0]}" (usernames are compared ignoring case). List them with: ldap-sync users`);
  return user;
}

/** Deactivates or reactivates one user as an admin and prints what changed. */
async function setActive(ctx: CommandContext, active: boolean): Promise<number> {
  const { shellWord, userJson } = await import('../format-sync');
  const directory = ctx.app().directory;
  const before = findOrFail(ctx);
  const changed = directory.setUserActive(before.id, active);
  const after = directory.findUser(before.username) ?? before;
  if (ctx.json) {
    ctx.io.stdout(`${JSON.stringify({ ...userJson(after), changed }, null, 2)}\n`);
    return 0;
  }
  const name = after.username;
  if (active) {
    ctx.io.stdout(changed ? `Reactivated ${name} (and their devices).\n` : `${name} is already active.\n`);
  } else if (changed) {
    ctx.io.stdout(`Deactivated ${name} (and their devices). A sync will not reactivate them; undo with: ldap-sync users reactivate ${shellWord(name)}\n`);
  } else {
    ctx.io.stdout(`${name} is already deactivated by an admin.\n`);
  }
  return 0;
}

/** `ldap-sync users deactivate USERNAME`. */
export const usersDeactivate: CommandSpec = {
  group: 'users',
  name: 'deactivate',
  args: ['USERNAME'],
  summary: 'Deactivate a user as an admin (a sync will not reactivate them)',
  description: `Deactivates the user USERNAME (ignoring case) and their devices, as an admin. Unlike a
deactivation by a sync, which the next sync undoes when the directory makes the user active again,
a sync never reactivates a user an admin deactivated: only "ldap-sync users reactivate" (or the
app) does. With --json, prints the user and "changed".`,
  options: {},
  async run(ctx) {
    return setActive(ctx, false);
  },
};

/** `ldap-sync users reactivate USERNAME`. */
export const usersReactivate: CommandSpec = {
  group: 'users',
  name: 'reactivate',
  args: ['USERNAME'],
  summary: 'Reactivate a user and their devices',
  description: `Reactivates the user USERNAME (ignoring case) and the devices that were deactivated with
them. A user the directory deactivates (the Active script returns false, or the search no longer
finds them) is deactivated again by the next sync. With --json, prints the user and "changed".`,
  options: {},
  async run(ctx) {
    return setActive(ctx, true);
  },
};
