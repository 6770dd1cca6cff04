import { AppError } from '../../../src-shared/errors';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';
import { passwordFromStdin, PASSWORD_STDIN_OPTION } from './password-stdin';

const text = (v: string | boolean | undefined) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** `ldap-sync users add USERNAME --org ORG`: a user added by hand to a local organization. */
export const usersAdd: CommandSpec = {
  group: 'users',
  name: 'add',
  args: ['USERNAME'],
  summary: 'Add a user by hand to an organization with local sign-in',
  description: `Adds the user USERNAME to the organization ORG, which must sign in with local passwords:
the users of an organization that signs in with LDAP come from its directory (its sync, or a
registration with the organization's key). With --password-stdin, the first line of standard input
becomes the user's local password (at least 12 characters; stored as a salted scrypt hash);
without it, set one later with ldap-sync users passwd. With --json, prints the user.`,
  options: {
    org: { type: 'string', valueName: 'ORG', help: 'The organization (required; local sign-in)' },
    email: { type: 'string', valueName: 'EMAIL', help: "The user's email" },
    first: { type: 'string', valueName: 'NAME', help: 'First name' },
    last: { type: 'string', valueName: 'NAME', help: 'Last name' },
    'password-stdin': PASSWORD_STDIN_OPTION,
  },
  async run(ctx) {
    const org = text(ctx.flags.org);
    if (!org) throw new UsageError('--org ORG is required: the organization the user joins', ['users', 'add']);
    const password = ctx.flags['password-stdin'] === true ? await passwordFromStdin(ctx, ['users', 'add']) : null;
    const { LocalUserInput } = await import('../../../src-shared/domain/local-users');
    const parsed = LocalUserInput.safeParse({ username: ctx.args[0], org, email: text(ctx.flags.email), firstName: text(ctx.flags.first), lastName: text(ctx.flags.last), password });
    if (!parsed.success) throw new AppError('INVALID_INPUT', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const user = await ctx.app().localUsers.add(parsed.data);
    if (ctx.json) {
      const { userJson } = await import('../format-sync');
      ctx.io.stdout(`${JSON.stringify({ ...userJson(user), hasLocalPassword: password !== null }, null, 2)}\n`);
    } else {
      ctx.io.stdout(`Added ${user.username} to ${user.orgName}${password !== null ? ' with a local password' : '. They cannot sign in until a local password is set: ldap-sync users passwd USERNAME --password-stdin'}.\n`);
    }
    return 0;
  },
};

/** `ldap-sync users passwd USERNAME --password-stdin`: a new local password. */
export const usersPasswd: CommandSpec = {
  group: 'users',
  name: 'passwd',
  args: ['USERNAME'],
  summary: "Set a local user's password (from standard input)",
  description: `Sets the local password of USERNAME to the first line of standard input (at least 12
characters; stored as a salted scrypt hash, never as text). Refused with LDAP_MANAGED for a user
whose organization signs in with LDAP: change their password in the directory.

  printf '%s\\n' "$NEW_PASSWORD" | ldap-sync users passwd jdoe --password-stdin`,
  options: { 'password-stdin': PASSWORD_STDIN_OPTION },
  async run(ctx) {
    if (ctx.flags['password-stdin'] !== true) throw new UsageError('the password is read from standard input: add --password-stdin and pipe it in', ['users', 'passwd']);
    const service = ctx.app().localUsers;
    const user = service.mustFind(ctx.args[0]);
    // Refused before reading the password when it cannot be set here.
    service.checkPasswordSettable(user.id);
    const password = await passwordFromStdin(ctx, ['users', 'passwd']);
    await service.setPassword(user.id, password);
    ctx.io.stdout(ctx.json ? `${JSON.stringify({ username: user.username, changed: true }, null, 2)}\n` : `Set the local password of ${user.username}.\n`);
    return 0;
  },
};
