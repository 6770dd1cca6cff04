import type { SignInResult } from '../../../src-shared/domain/sign-in';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';
import { passwordFromStdin, PASSWORD_STDIN_OPTION } from './password-stdin';

const TOPIC = ['auth'];

/** `ldap-sync auth USERNAME --password-stdin`: a sign-in (or registration) attempt, step by step. */
export const auth: CommandSpec = {
  group: 'auth',
  name: '',
  args: ['USERNAME'],
  summary: 'Try a sign-in (or a registration) and show each step',
  description: `Signs USERNAME in as the app's users sign in, and shows each step with its time: the
organization and its server, the search (with its ldapsearch line), the DN found, the bind as that
DN, the scripts' results, and the outcome. The password is read from standard input
(--password-stdin) and goes to that bind only (or is compared with the local password).

A user of an organization with local sign-in is checked against their local password. A new user
gives their organization's registration key (--registration-key; see ldap-sync orgs list); the
Active, Org name and Role name scripts then run on their entry. Nothing is recorded unless
--register is given: then an allowed new user is added (and --device NAME adds a device to the
user, new or not).

With --json, prints { "allowed", "code", "message", "steps": [ { "name", "ok", "ms", "detail" } ],
"user": { "username", "email", "org", "roles", "active", "source" } | null, "registered" }.
Codes: OK, EMPTY_PASSWORD, NOT_FOUND, AMBIGUOUS, INVALID_CREDENTIALS, ACCOUNT_RESTRICTED,
DEACTIVATED, OTHER_ENTRY, INACTIVE_IN_DIRECTORY, REGISTRATION_DENIED, UNKNOWN_REGISTRATION_KEY, NOT_REGISTERED,
NO_LOCAL_PASSWORD, DIRECTORY_UNAVAILABLE.
Exit status: 0 allowed, 1 refused, 2 bad usage.

  printf '%s\\n' "$PASSWORD" | ldap-sync auth jsmith --password-stdin
  printf '%s\\n' "$PASSWORD" | ldap-sync auth jsmith --password-stdin --registration-key KEY --register --device "Laptop"`,
  options: {
    'password-stdin': PASSWORD_STDIN_OPTION,
    'registration-key': { type: 'string', valueName: 'KEY', help: "A new user's organization registration key" },
    register: { type: 'boolean', help: 'Record an allowed registration (the new user, and the device)' },
    device: { type: 'string', valueName: 'NAME', help: 'Name the device being registered (with --register)' },
  },
  async run(ctx) {
    const device = typeof ctx.flags.device === 'string' ? ctx.flags.device.trim() : null;
    if (device !== null && device === '') throw new UsageError('--device needs a name', TOPIC);
    if (device !== null && ctx.flags.register !== true) throw new UsageError('--device names a device to record: add --register', TOPIC);
    const key = typeof ctx.flags['registration-key'] === 'string' ? ctx.flags['registration-key'] : null;
    const password = await passwordFromStdin(ctx, TOPIC);
    const { SignInInput } = await import('../../../src-shared/domain/sign-in');
    const parsed = SignInInput.safeParse({ username: ctx.args[0], password, registrationKey: key, register: ctx.flags.register === true, device });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), TOPIC);
    const result = await ctx.app().auth.signIn(parsed.data);
    ctx.io.stdout(ctx.json ? `${JSON.stringify(result, null, 2)}\n` : formatSignIn(result));
    return result.allowed ? 0 : 1;
  },
};

/** A sign-in as text: one block per step, then the outcome. */
export function formatSignIn(r: SignInResult): string {
  const lines: string[] = [];
  for (const s of r.steps.filter((x) => x.name !== 'outcome')) {
    const [first, ...rest] = s.detail.split('\n');
    lines.push(`${s.ok ? 'ok  ' : 'FAIL'} ${s.name.padEnd(15)} ${`${s.ms.toFixed(1)} ms`.padStart(10)}  ${first}`);
    for (const more of rest) lines.push(`${' '.repeat(33)}${more}`);
  }
  lines.push('', `${r.allowed ? 'Allowed' : 'Refused'} (${r.code}): ${r.message}`);
  if (r.user) lines.push(`User: ${r.user.username}, ${r.user.org}, ${r.user.source === 'local' ? 'local password' : `signs in with ${r.user.source}`}${r.user.roles.length ? `, roles ${r.user.roles.join(', ')}` : ''}${r.user.active ? '' : ', deactivated'}`);
  return `${lines.join('\n')}\n`;
}
