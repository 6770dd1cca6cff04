import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCliInProcess, type Outcome } from './cli-runner';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { openStore } from '../../src-main/store/db';
import { findServerByName } from '../../src-main/store/servers-repo';
import { emptyServerDraft } from '../../src-shared/domain/server';
import { startKeyring, type Keyring } from '../rig/keyring';
import { startSlapd, type Slapd } from '../rig/slapd';



let slapd: Slapd;
let keyring: Keyring;
let dir: string;
let db: string;

/** Runs the CLI (in-process) on the test's store, talking to the test's keyring. */
function ldapSync(args: string[]): Promise<Outcome> {
  return runCliInProcess(args, { cwd: dir, env: { ...process.env, ...keyring.env, LDAP_SYNC_DB: db } });
}

/** Saves "Corp" with its password in the keychain, as the desktop app does; returns the keychain account. */
async function saveWithKeychainPassword(): Promise<string> {
  const app = createAppContext({ dbPath: db, keychain: new SecretToolKeychain({ ...process.env, ...keyring.env }) });
  try {
    await app.servers.create({ ...emptyServerDraft(), name: 'Corp', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn }, { kind: 'value', value: slapd.syncPw });
    const ref = findServerByName(app.store.db, 'Corp')!.passwordRef;
    if (ref?.kind !== 'keychain') throw new Error('expected a keychain password');
    return ref.account;
  } finally {
    app.close();
  }
}

beforeAll(async () => {
  [slapd, keyring] = await Promise.all([startSlapd({ users: 25 }), startKeyring()]);
}, 60_000);
afterAll(() => Promise.all([slapd?.stop(), keyring?.stop()]));
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-cli-keychain-'));
  db = path.join(dir, 'store.sqlite');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('ldap-sync with passwords in the OS keychain', () => {
  it('tests a server whose password the app put in the keychain', async () => {
    await saveWithKeychainPassword();
    const r = await ldapSync(['server', 'test', 'Corp', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ bindable: true, matches: 25 });
    expect((await ldapSync(['server', 'list'])).stdout).toMatch(/Corp .* OS keychain +reachable, bind ok, 25 matches/);
  });

  it('leaves keychain passwords out of the export and warns about them on stderr', async () => {
    const account = await saveWithKeychainPassword();
    const r = await ldapSync(['config', 'export']);
    expect(r.code).toBe(0);
    const exported = JSON.parse(r.stdout);
    expect(exported.servers[0]).not.toHaveProperty('bindPassword');
    expect(r.stdout).not.toContain(account);
    expect(r.stdout).not.toContain(slapd.syncPw);
    expect(r.stderr).toMatch(/^warning: the bind password of "Corp" is in the OS keychain and was not exported\./);
  });

  it('deletes the keychain item once a config file replaces it with a reference', async () => {
    const account = await saveWithKeychainPassword();
    const keychain = new SecretToolKeychain({ ...process.env, ...keyring.env });
    expect(await keychain.get(account)).toBe(slapd.syncPw);
    await writeFile(
      path.join(dir, 'servers.json'),
      JSON.stringify({ servers: [{ name: 'Corp', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn, bindPassword: { env: 'CORP_BIND_PASSWORD' }, searchFilter: emptyServerDraft().searchFilter }] }),
    );
    const r = await ldapSync(['config', 'apply', 'servers.json']);
    expect(r).toEqual({ code: 0, stdout: 'updated Corp\n', stderr: '' });
    expect(await keychain.get(account)).toBeNull();
    const store = openStore(db);
    try {
      expect(findServerByName(store.db, 'Corp')!.passwordRef).toEqual({ kind: 'env', name: 'CORP_BIND_PASSWORD' });
    } finally {
      store.close();
    }
  });
});
