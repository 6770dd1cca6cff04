import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCliInProcess, runCliProcess, spawnCli, type Outcome } from './cli-runner';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src-shared/domain/doctor';
import { closedPort, startHangListener, type HangListener } from '../rig/hang-listener';
import { startSlapd, type Slapd } from '../rig/slapd';

const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';


let slapd: Slapd;
let dir: string;

const storeEnv = (env: Record<string, string> = {}) => ({ ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), ...env });

/** Runs the CLI (in-process) with its store in the test's temp folder. */
function ldapSync(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return runCliInProcess(args, { cwd: dir, env: storeEnv(env) });
}

/** Writes a config file with the given servers and applies it with the CLI. */
async function apply(servers: Record<string, unknown>[]): Promise<void> {
  await writeFile(path.join(dir, 'servers.json'), JSON.stringify({ servers }));
  const r = await ldapSync(['config', 'apply', 'servers.json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

const corp = (extra: Record<string, unknown> = {}) => ({
  name: 'Corp',
  url: `${slapd.url}/${slapd.baseDn}`,
  bindDn: slapd.syncDn,
  bindPassword: { env: 'CORP_BIND_PASSWORD' },
  searchFilter: FILTER,
  ...extra,
});

beforeAll(async () => {
  slapd = await startSlapd();
}, 60_000);
afterAll(() => slapd?.stop());
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-cli-test-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('ldap-sync server test against a real directory', () => {
  it('is green after config apply, counts every user and records the last test (the built CLI, spawned)', async () => {
    expect(slapd.userCount).toBeGreaterThan(1000);
    await apply([corp()]);
    const listed = JSON.parse((await ldapSync(['server', 'list', '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ name: 'Corp', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn, password: { kind: 'env', name: 'CORP_BIND_PASSWORD' }, lastTest: null })]);

    // The one real command run through the shipped bundle: LDAP, the store and its migrations from dist/cli.
    const r = await runCliProcess(['server', 'test', 'corp', '--json'], { cwd: dir, env: storeEnv({ CORP_BIND_PASSWORD: slapd.syncPw }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report).toMatchObject({ reachable: true, bindable: true, matches: slapd.userCount, error: null });
    expect(report.stages.map((s) => [s.name, s.ok])).toEqual([
      ['dns', true],
      ['tcp', true],
      ['tls', null],
      ['bind', true],
      ['base', true],
      ['search', true],
    ]);
    for (const s of report.stages) expect(s.ms).toEqual(expect.any(Number));

    const after = JSON.parse((await ldapSync(['server', 'list', '--json'])).stdout);
    expect(after[0].lastTest).toMatchObject({ reachable: true, bindable: true, matches: slapd.userCount, errorMessage: null });
    const text = await ldapSync(['server', 'list']);
    expect(text.stdout).toContain(`reachable, bind ok, ${slapd.userCount.toLocaleString('en-US')} matches (`);
  });

  it('prints each stage with its mark, time and detail, then the summary', async () => {
    await apply([corp()]);
    const r = await ldapSync(['server', 'test', 'Corp'], { CORP_BIND_PASSWORD: slapd.syncPw });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`Testing "Corp" (${slapd.url}/${slapd.baseDn})`);
    expect(lines[1]).toMatch(/^✓ Name resolution +\d+ ms {2}127\.0\.0\.1/);
    expect(lines[2]).toMatch(/^✓ TCP connect +\d+ ms {2}Connected to 127\.0\.0\.1:\d+/);
    expect(lines[3]).toMatch(/^– TLS handshake +\d+ ms {2}warning: Not encrypted/);
    expect(lines[4]).toMatch(new RegExp(`^✓ Bind +\\d+ ms  Bound as ${slapd.syncDn}`));
    expect(lines[6]).toMatch(new RegExp(`^✓ Search filter → matches +\\d+ ms  ${slapd.userCount.toLocaleString('en-US')} matches`));
    expect(r.stdout).toContain(`Reachable: yes   Bind: yes   Matches: ${slapd.userCount.toLocaleString('en-US')}\nResult: passed\n`);
    expect(r.stdout).toContain('Equivalent ldapsearch: ldapsearch');
  });

  it('passes every stage, TLS included, on ldaps:// with the CA and the password read from files next to the config', async () => {
    await writeFile(path.join(dir, 'corp-ca.pem'), slapd.pki.caCertPem);
    await writeFile(path.join(dir, 'bind-password'), `${slapd.syncPw}\n`, { mode: 0o600 });
    await apply([corp({ url: `${slapd.ldapsUrl}/${slapd.baseDn}`, bindPassword: { file: 'bind-password' }, trustedCertificates: [{ file: 'corp-ca.pem' }] })]);
    const r = await ldapSync(['server', 'test', 'Corp', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.stages.every((s) => s.ok === true)).toBe(true);
    expect(report.matches).toBe(slapd.userCount);
  });

  it('fails the bind stage with invalid credentials naming the bind DN when the password is wrong', async () => {
    await apply([corp()]);
    const r = await ldapSync(['server', 'test', 'Corp', '--json'], { CORP_BIND_PASSWORD: 'not-the-password' });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report).toMatchObject({ reachable: true, bindable: false, matches: null });
    const bind = report.stages.find((s) => s.name === 'bind')!;
    expect(bind.ok).toBe(false);
    expect(report.error?.code).toBe('INVALID_CREDENTIALS');
    expect(report.error?.message).toMatch(/invalid credentials/i);
    expect(report.error?.message).toContain(slapd.syncDn);
    expect(report.stages.filter((s) => s.name === 'base' || s.name === 'search').map((s) => s.ok)).toEqual([null, null]);
  });

  it('fails the bind stage naming the variable when the password variable is not set', async () => {
    await apply([corp()]);
    const r = await ldapSync(['server', 'test', 'Corp'], { CORP_BIND_PASSWORD: '' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ Bind .*the environment variable CORP_BIND_PASSWORD is not set/);
  });

  it('fails with the address and port in the message when the port is closed', async () => {
    const port = await closedPort();
    await apply([corp({ url: `ldap://127.0.0.1:${port}/${slapd.baseDn}` })]);
    const r = await ldapSync(['server', 'test', 'Corp', '--json'], { CORP_BIND_PASSWORD: slapd.syncPw });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as DoctorReport;
    expect(report.reachable).toBe(false);
    expect(report.stages.find((s) => s.name === 'tcp')?.ok).toBe(false);
    expect(report.error?.code).toBe('CONNECT_REFUSED');
    expect(report.error?.message).toContain(`127.0.0.1:${port}`);
  });
});

describe('cancelling ldap-sync server test', () => {
  let hang: HangListener;
  beforeAll(async () => {
    hang = await startHangListener();
  });
  afterAll(() => hang?.close());

  it('stops cleanly on Ctrl+C while the server does not answer', async () => {
    await apply([corp({ url: `${hang.url}/${slapd.baseDn}`, timeoutSeconds: 120 })]);
    const child = spawnCli(['server', 'test', 'Corp'], { cwd: dir, env: storeEnv({ CORP_BIND_PASSWORD: 'x' }) });
    let stdout = '';
    let interrupted = false;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      // One Ctrl+C only: a second one after the command finished would kill the process outright.
      if (!interrupted && stdout.includes('TLS handshake')) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(130);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(stdout).toMatch(/✗ Bind .*Cancelled/);
    expect(stdout).toContain('Result: cancelled');
  });
});
