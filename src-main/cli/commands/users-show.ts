import type { CommandSpec } from '../command';

/** `ldap-sync users show USERNAME`: one user with their devices. */
export const usersShow: CommandSpec = {
  group: 'users',
  name: 'show',
  args: ['USERNAME'],
  summary: 'Show one user: organization, status, how they sign in, devices',
  description: `Shows the user USERNAME (ignoring case): organization, roles, status, where they come
from, how they sign in (local password, set or not, or an LDAP server), and their devices (a device
is deactivated and reactivated with its user). With --json, prints the user's fields as in
"ldap-sync users --json" plus "signIn", "hasLocalPassword" and "devices": [ { "name", "active",
"deactivatedAt", "deactivatedBy", "createdAt" } ].`,
  options: {},
  async run(ctx) {
    const { userJson } = await import('../format-sync');
    const { table } = await import('../format-server');
    const service = ctx.app().localUsers;
    const d = service.detail(service.mustFind(ctx.args[0]).id);
    const devices = d.devices.map(({ id: _, ...rest }) => rest);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ ...userJson(d.user), signIn: d.signIn, hasLocalPassword: d.hasLocalPassword, devices }, null, 2)}\n`);
      return 0;
    }
    const u = d.user;
    const status = u.active ? 'active' : `deactivated by ${u.deactivatedBy ?? 'sync'}${u.deactivatedAt ? ` on ${u.deactivatedAt.slice(0, 10)}` : ''}${u.deactivatedReason ? ` (${u.deactivatedReason})` : ''}`;
    const signIn = d.signIn === 'ldap' ? `with their directory password (${u.sourceServerName ?? 'the organization\'s LDAP server'})` : d.hasLocalPassword ? 'with a local password' : 'with a local password, none set yet';
    const lines = [
      `${u.username}${u.firstName || u.lastName ? ` (${[u.firstName, u.lastName].filter(Boolean).join(' ')})` : ''}`,
      `  email:         ${u.email ?? '–'}`,
      `  organization:  ${u.orgName}`,
      `  roles:         ${u.roles.length ? u.roles.join(', ') : '–'}`,
      `  status:        ${status}`,
      `  signs in:      ${signIn}`,
      ...(u.sourceDn ? [`  entry:         ${u.sourceDn}`] : []),
      ...(u.directoryId ? [`  directory ID:  ${u.directoryId}`] : []),
      `  devices:       ${d.devices.length === 0 ? 'none' : d.devices.length}`,
    ];
    const out = `${lines.join('\n')}\n`;
    const rows = [['DEVICE', 'ACTIVE', 'REGISTERED'], ...d.devices.map((x) => [x.name, x.active ? 'yes' : `no (${x.deactivatedBy === 'admin' ? 'by an admin' : 'with the user'})`, x.createdAt.slice(0, 16).replace('T', ' ')])];
    ctx.io.stdout(d.devices.length ? `${out}\n${table(rows)}` : out);
    return 0;
  },
};
