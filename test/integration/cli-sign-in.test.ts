/**
 * The CLI of issue 14 against a real OpenLDAP: `ldap-sync auth` (JSON shape, exit codes, the
 * password from standard input), `users add/passwd/show/import/export`, `orgs list/rotate-key/set-auth`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context';
import { runCli } from '../../src-main/cli/run-cli';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { startSlapd, type Slapd } from '../rig/slapd';
import { spawnCli } from './cli-runner';
import { rigDraft } from './preview-fixture';

let slapd: Slapd;
let dir: string;
let db: string;
let corpKey: string;
const env = () => ({ SYNC_PW: slapd.syncPw, PATH: process.env.PATH });
const LOCAL_PW = 'local-password-1234';

/** Runs the CLI in this process; `stdin` is what standard input holds (null: nothing piped). */
async function cli(args: string[], stdin: string | null = null): Promise<{ code: number; stdout: string; stderr: string; json: () => any }> {
  let stdout = '';
  let stderr = '';
  let input = stdin;
  const code = await runCli([...args, '--db', db], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: env(),
    keychain: new SecretToolKeychain({ PATH: process.env.PATH }),
    readStdinLine: async () => {
      if (input === null) return null;
      const line = input.split('\n')[0].replace(/\r$/, '');
      input = null;
      return line;
    },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

beforeAll(async () => {
  slapd = await startSlapd({ users: 5, logOps: false });
  dir = await mkdtemp(join(tmpdir(), 'lss-cli-sign-in-'));
  db = join(dir, 'store.sqlite');
  const app = createAppContext({ dbPath: db, env: env(), keychain: new SecretToolKeychain({ PATH: process.env.PATH }) });
  try {
    const server = await app.servers.create({ ...rigDraft(slapd), name: 'Corp' }, { kind: 'env', name: 'SYNC_PW' });
    corpKey = app.directory.createOrg({ name: 'Corp', parentId: null, authServerId: server.id }).registrationKey;
    app.directory.createOrg({ name: 'Guests', parentId: null, authServerId: null });
  } finally {
    app.close();
  }
}, 60_000);
afterAll(async () => {
  await slapd?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('ldap-sync auth', () => {
  it('registers with a key and a device, printing the JSON of the issue, exit 0', async () => {
    const r = await cli(['auth', 'user00001', '--password-stdin', '--registration-key', corpKey, '--register', '--device', 'Laptop', '--json'], `${slapd.userPassword}\n`);
    expect(r.code).toBe(0);
    const out = r.json();
    expect(Object.keys(out).sort()).toEqual(['allowed', 'code', 'message', 'registered', 'steps', 'user']);
    expect(out).toMatchObject({ allowed: true, code: 'OK', registered: true, user: { username: 'user00001', email: 'user00001@example.com', org: 'Corp', roles: [], active: true, source: 'Corp' } });
    for (const s of out.steps) expect(Object.keys(s).sort()).toEqual(['detail', 'ms', 'name', 'ok']);
    expect(r.stdout).not.toContain(slapd.userPassword);
  });

  it('prints each step with its time and the ldapsearch line as text', async () => {
    const r = await cli(['auth', 'user00001', '--password-stdin'], `${slapd.userPassword}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {3}search +[\d.]+ ms {2}\(&\(objectClass=inetOrgPerson\)\(uid=user00001\)\)/m);
    expect(r.stdout).toContain("ldapsearch -x -H 'ldap://127.0.0.1:");
    expect(r.stdout).toMatch(/Allowed \(OK\)/);
  });

  it('exits 1 with INVALID_CREDENTIALS for a wrong password, and 2 without --password-stdin', async () => {
    const wrong = await cli(['auth', 'user00001', '--password-stdin', '--json'], 'wrong-password\n');
    expect(wrong.code).toBe(1);
    expect(wrong.json()).toMatchObject({ allowed: false, code: 'INVALID_CREDENTIALS' });
    const usage = await cli(['auth', 'user00001']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--password-stdin/);
    expect((await cli(['auth', 'user00001', '--password-stdin'])).code).toBe(2);
  });

  it('refuses an empty password line with EMPTY_PASSWORD', async () => {
    const r = await cli(['auth', 'user00001', '--password-stdin', '--json'], '\n');
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ code: 'EMPTY_PASSWORD' });
  });

  it('reads the password from a real pipe in the built CLI', async () => {
    const child = spawnCli(['auth', 'user00002', '--password-stdin', '--registration-key', corpKey, '--json', '--db', db], { cwd: dir, env: env() });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stdin.end(`${slapd.userPassword}\n`);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ allowed: true, registered: false });
  });
});

describe('ldap-sync users and orgs', () => {
  it('shows a user with their devices', async () => {
    const r = await cli(['users', 'show', 'USER00001', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ username: 'user00001', signIn: 'ldap', devices: [{ name: 'Laptop', active: true }], deviceCount: 1, activeDeviceCount: 1 });
    expect((await cli(['users', 'show', 'user00001'])).stdout).toMatch(/Laptop/);
    // The list gives each user's device counts.
    const list = (await cli(['users', '--json'])).json() as { username: string; deviceCount: number; activeDeviceCount: number }[];
    expect(list.find((u) => u.username === 'user00001')).toMatchObject({ deviceCount: 1, activeDeviceCount: 1 });
    expect(list.filter((u) => u.username !== 'user00001').every((u) => u.deviceCount === 0)).toBe(true);
  });

  it('adds a local user with a password, who then signs in with it', async () => {
    const add = await cli(['users', 'add', 'jdoe', '--org', 'Guests', '--email', 'jdoe@example.org', '--first', 'Jane', '--password-stdin'], `${LOCAL_PW}\n`);
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/Added jdoe to Guests with a local password/);
    expect((await cli(['auth', 'jdoe', '--password-stdin', '--json'], `${LOCAL_PW}\n`)).json()).toMatchObject({ allowed: true, user: { source: 'local' } });
    const ldapOrg = await cli(['users', 'add', 'kim', '--org', 'Corp']);
    expect(ldapOrg.code).toBe(1);
    expect(ldapOrg.stderr).toMatch(/signs in with "Corp"/);
  });

  it('changes a local password, refuses a short one, and refuses an LDAP user with LDAP_MANAGED', async () => {
    expect((await cli(['users', 'passwd', 'jdoe', '--password-stdin'], 'another-password-99\n')).code).toBe(0);
    expect((await cli(['auth', 'jdoe', '--password-stdin', '--json'], 'another-password-99\n')).code).toBe(0);
    const short = await cli(['users', 'passwd', 'jdoe', '--password-stdin', '--json'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.json()).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringMatching(/at least 12 characters/) } });
    const ldap = await cli(['users', 'passwd', 'user00001', '--password-stdin', '--json'], 'does-not-matter-1\n');
    expect(ldap.code).toBe(1);
    expect(ldap.json()).toMatchObject({ error: { code: 'LDAP_MANAGED', message: expect.stringMatching(/change the password in the directory/) } });
  });

  it('imports a CSV all or nothing: a bad row adds nobody and names row, column and reason', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'username,org,email,firstName\nann,Guests,ann@example.org,Ann\nbob,Corp,bob@example.org,Bob\ncid,Nowhere,not-an-email,Cid\n');
    const r = await cli(['users', 'import', bad, '--json']);
    expect(r.code).toBe(1);
    expect(r.json()).toMatchObject({ added: 0, rows: 3 });
    expect(r.json().problems).toEqual([
      { row: 3, column: 'org', reason: expect.stringMatching(/"Corp" signs in with LDAP/) },
      { row: 4, column: 'org', reason: expect.stringMatching(/No organization is named "Nowhere"/) },
      { row: 4, column: 'email', reason: expect.stringMatching(/not an email address/) },
    ]);
    expect((await cli(['users', 'show', 'ann'])).code).toBe(1);

    const good = join(dir, 'good.csv');
    await writeFile(good, '\ufeffUsername,Org,E-mail,First name,Last name,Roles\r\nann,Guests,ann@example.org,"=HYPERLINK(""x"")",Able,Desktop User\r\nbob,guests,,Bob,"Baker, Jr.",\r\n');
    const dry = await cli(['users', 'import', good, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/2 users would be added/);
    expect((await cli(['users', 'show', 'ann'])).code).toBe(1);
    expect((await cli(['users', 'import', good])).stdout).toMatch(/Added 2 users/);
    expect((await cli(['users', 'show', 'bob', '--json'])).json()).toMatchObject({ lastName: 'Baker, Jr.', org: 'Guests', hasLocalPassword: false });
  });

  it('exports users as CSV with formula cells neutralised', async () => {
    const file = join(dir, 'users.csv');
    const r = await cli(['users', 'export', '--output', file]);
    expect(r.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.split('\r\n')[0]).toBe('username,org,email,firstName,lastName,roles,active,deactivatedBy,deactivatedReason,source,dn,directoryId,devices,lastSeenAt');
    expect(text).toContain(`ann,Guests,ann@example.org,"'=HYPERLINK(""x"")",Able,Desktop User,yes`);
    expect(text).toMatch(/\r\nuser00001,Corp,user00001@example\.com,.*,Corp,"uid=user00001,ou=people,dc=example,dc=com",entryUUID:[0-9a-f-]+,1,/);
  });

  it('lists organizations with their keys, and a rotated key stops working at once', async () => {
    const list = (await cli(['orgs', 'list', '--json'])).json();
    expect(list).toContainEqual(expect.objectContaining({ name: 'Corp', signIn: 'Corp', registrationKey: corpKey }));
    const rotated = await cli(['orgs', 'rotate-key', 'corp', '--json']);
    expect(rotated.code).toBe(0);
    expect(rotated.json().registrationKey).not.toBe(corpKey);
    const old = await cli(['auth', 'user00003', '--password-stdin', '--registration-key', corpKey, '--json'], `${slapd.userPassword}\n`);
    expect(old.json()).toMatchObject({ code: 'UNKNOWN_REGISTRATION_KEY' });
    corpKey = rotated.json().registrationKey;
  });

  it('says what changing an organization\'s sign-in does to its users', async () => {
    const dry = await cli(['orgs', 'set-auth', 'Guests', '--server', 'Corp', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Dry run, nothing changed\. Guests's 3 users will sign in with their password in "Corp"/);
    const toLocal = await cli(['orgs', 'set-auth', 'Corp', '--local', '--json']);
    expect(toLocal.json()).toMatchObject({ changed: true, users: 1, withoutLocalPassword: 1, message: expect.stringMatching(/1 user has none and cannot sign in until one is set/) });
    expect((await cli(['orgs', 'set-auth', 'Corp', '--local', '--server', 'Corp'])).code).toBe(2);
  });
});
