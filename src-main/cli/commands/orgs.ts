import type { OrganizationView } from '../../../src-shared/domain/directory';
import { AppError } from '../../../src-shared/errors';
import type { CommandContext, CommandSpec } from '../command';
import { UsageError } from '../io';

function orgOrFail(ctx: CommandContext): OrganizationView {
  const name = ctx.args[0].trim().toLowerCase();
  const org = ctx.app().directory.listOrgs().find((o) => o.name.toLowerCase() === name);
  if (!org) throw new AppError('NOT_FOUND', `No organization is named "${ctx.args[0]}". List them with: ldap-sync orgs list`);
  return org;
}

const signIn = (o: OrganizationView) => (o.auth.kind === 'local' ? 'local passwords' : `LDAP: ${o.auth.serverName}`);
const orgJson = (o: OrganizationView) => ({ name: o.name, parent: o.parentName, signIn: o.auth.kind === 'local' ? 'local' : o.auth.serverName, registrationKey: o.registrationKey, users: o.users, activeUsers: o.activeUsers });

/** `ldap-sync orgs list`: organizations with their sign-in and registration key. */
export const orgsList: CommandSpec = {
  group: 'orgs',
  name: 'list',
  args: [],
  summary: 'List the organizations, how they sign in, and their registration keys',
  description: `Lists the organizations: parent, how their users sign in (local passwords, or the LDAP
server named), their registration key (a new user gives it to register), and their users.
With --json, prints [ { "name", "parent", "signIn" ("local" or the server's name),
"registrationKey", "users", "activeUsers" } ].`,
  options: {},
  async run(ctx) {
    const orgs = ctx.app().directory.listOrgs();
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(orgs.map(orgJson), null, 2)}\n`);
      return 0;
    }
    if (orgs.length === 0) {
      ctx.io.stdout('No organizations yet. Add them with: ldap-sync config apply FILE\n');
      return 0;
    }
    const { table } = await import('../format-server');
    ctx.io.stdout(table([['NAME', 'PARENT', 'SIGN-IN', 'REGISTRATION KEY', 'USERS', 'ACTIVE'], ...orgs.map((o) => [o.name, o.parentName ?? '–', signIn(o), o.registrationKey, String(o.users), String(o.activeUsers)])]));
    return 0;
  },
};

/** `ldap-sync orgs rotate-key NAME`: a new registration key, the old one invalid at once. */
export const orgsRotateKey: CommandSpec = {
  group: 'orgs',
  name: 'rotate-key',
  args: ['NAME'],
  summary: "Give an organization a new registration key (the old one stops working)",
  description: `Replaces the registration key of the organization NAME with a new random one and prints
it. The old key stops working at once: a registration with it is refused (UNKNOWN_REGISTRATION_KEY).
Users already registered are not affected. With --json, prints { "name", "registrationKey" }.`,
  options: {},
  async run(ctx) {
    const org = orgOrFail(ctx);
    const after = ctx.app().localUsers.rotateKey(org.id);
    ctx.io.stdout(ctx.json ? `${JSON.stringify({ name: after.name, registrationKey: after.registrationKey }, null, 2)}\n` : `New registration key of ${after.name}: ${after.registrationKey}\nThe old key no longer works.\n`);
    return 0;
  },
};

/** `ldap-sync orgs set-auth NAME --server S | --local`: change how an organization signs in, saying what it means. */
export const orgsSetAuth: CommandSpec = {
  group: 'orgs',
  name: 'set-auth',
  args: ['NAME'],
  summary: "Change how an organization's users sign in, and say what that means",
  description: `Sets the sign-in of the organization NAME to the LDAP server --server SERVER, or to local
passwords (--local), and says what happens to its users' sign-in: with LDAP, each must have an
entry the server's search finds (their local passwords are kept but no longer checked, and the
server's sync manages them); with local passwords, those who have none cannot sign in until one is
set (ldap-sync users passwd). With --dry-run, only says it. With --json, prints { "org", "users",
"withoutLocalPassword", "message", "changed" }.`,
  options: {
    server: { type: 'string', valueName: 'SERVER', help: 'Sign in with this LDAP server' },
    local: { type: 'boolean', help: 'Sign in with local passwords' },
    'dry-run': { type: 'boolean', help: 'Say what would happen; change nothing' },
  },
  async run(ctx) {
    const topic = ['orgs', 'set-auth'];
    const server = typeof ctx.flags.server === 'string' ? ctx.flags.server.trim() : undefined;
    if ((server === undefined) === (ctx.flags.local !== true)) throw new UsageError('give either --server SERVER or --local', topic);
    if (server === '') throw new UsageError('--server needs the name of a saved server', topic);
    const app = ctx.app();
    const org = orgOrFail(ctx);
    const authServerId = server === undefined ? null : app.servers.byName(server).id;
    const impact = app.localUsers.authImpact(org.id, authServerId);
    const same = (org.auth.kind === 'local' ? null : org.auth.serverId) === authServerId;
    const change = ctx.flags['dry-run'] !== true && !same;
    if (change) app.directory.updateOrg(org.id, { name: org.name, parentId: org.parentId, authServerId });
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ ...impact, changed: change }, null, 2)}\n`);
    else ctx.io.stdout(`${change ? 'Changed. ' : same ? '' : 'Dry run, nothing changed. '}${impact.message}\n`);
    return 0;
  },
};
