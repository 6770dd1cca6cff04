/**
 * Issue 15.1-2 against a real 389 Directory Server (test/rig/dirsrv.ts): users first seen by
 * nsUniqueId alone (an ldif2db import, before the entryUUID plugin's fixup task) stay the same users
 * when entryUUID appears in the same run as a rename, and record it; a rename and a re-use of the
 * freed name in one sync rename the old user and create the new one in the same plan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import type { ServerDraft, ServerView } from '../../src-shared/domain/server';
import type { RunSummary } from '../../src-shared/domain/sync';
import { modrdnLdif, personLdif, startDirsrv, type Dirsrv } from '../rig/dirsrv';
import { openTestApp, type TestApp } from './preview-fixture';

let ds: Dirsrv;
let t: TestApp;
let app: AppContext;
let server: ServerView;

const person = (uid: string) => personLdif({ uid, cn: `${uid} Person`, givenName: uid, sn: 'Person', mail: `${uid}@example.test` });

function draft(): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'DS',
    url: `${ds.ldapsUrl}/${ds.peopleDn}`,
    bindDn: ds.reader.dn,
    searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    timeoutSeconds: 30,
    trustedCertificates: [parseTrustedPem(ds.caPem, 'ca')],
    createUsers: true,
  };
}

function user(username: string) {
  const u = app.directory.findUser(username);
  if (!u) throw new Error(`no user ${username}`);
  return u;
}

async function sync(): Promise<RunSummary> {
  const r = await app.sync.run({ serverId: server.id, mode: 'sync', trigger: 'manual' });
  if (r.status !== 'applied') throw new Error(`sync ${r.status}: ${r.error?.message ?? r.heldReason}`);
  return r;
}

const SLOW = { timeout: 120_000 };

beforeAll(async () => {
  ds = await startDirsrv();
  // An offline import: the people get nsUniqueId, and no entryUUID until the fixup task.
  await ds.reimport(['ann', 'ben', 'cid'].map(person).join(''));
  t = await openTestApp({ DS_PW: ds.reader.password });
  app = t.app;
  server = await app.servers.create(draft(), { kind: 'env', name: 'DS_PW' });
  const org = app.directory.createOrg({ name: 'Legal', parentId: null, authServerId: server.id });
  server = (await app.servers.update(server.id, { ...draft(), defaultOrgId: org.id }, { kind: 'keep' })).server;
}, 180_000);
afterAll(async () => {
  await t?.close();
  await ds?.stop();
});

describe('identity on 389-ds', SLOW, () => {
  it('keeps a user known by nsUniqueId who is renamed in the run in which entryUUID appears, and records the entryUUID', async () => {
    const first = await sync();
    expect(first.counts).toMatchObject({ created: 3, errors: 0 });
    const ann = user('ann');
    expect(ann.directoryId).toMatch(/^nsUniqueId:/);

    await ds.fixupEntryUuid();
    await ds.modify(modrdnLdif(`uid=ann,${ds.peopleDn}`, 'uid=anna'));
    const r = await sync();
    expect(r.counts).toMatchObject({ dnChanged: 1, updated: 1, created: 0, deactivated: 0, reused: 0, errors: 0 });
    const changes = [...app.sync.allChanges(r.id)];
    expect(changes.map((c) => [c.action, c.username])).toEqual([['dn', 'ann'], ['update', 'ann']]);
    expect(changes[0]!.reason).toMatch(/the same entry \(directory ID unchanged\)/);
    expect(user('anna')).toMatchObject({ id: ann.id, active: true, sourceDn: `uid=anna,${ds.peopleDn}`, directoryId: expect.stringMatching(/^entryUUID:[0-9a-f-]{36}$/) });
    expect(app.directory.findUser('ann')).toBeFalsy();
  });

  it('renames b and creates the new entry that took its old name in the same sync, never calling Legal unmanaged', async () => {
    const ben = user('ben');
    await ds.modify(modrdnLdif(`uid=ben,${ds.peopleDn}`, 'uid=bea'));
    await ds.add(person('ben'));
    const r = await sync();
    const changes = [...app.sync.allChanges(r.id)];
    expect(changes.map((c) => [c.action, c.username])).toEqual([['dn', 'ben'], ['update', 'ben'], ['create', 'ben']]);
    expect(changes.map((c) => c.reason ?? '').join('\n')).not.toMatch(/does not manage/);
    expect(r.counts).toMatchObject({ dnChanged: 1, updated: 1, created: 1, errors: 0, deactivated: 0 });
    expect(user('bea')).toMatchObject({ id: ben.id, active: true, directoryId: ben.directoryId });
    const newBen = user('ben');
    expect(newBen.id).not.toBe(ben.id);
    expect(newBen).toMatchObject({ active: true, sourceDn: `uid=ben,${ds.peopleDn}`, directoryId: expect.stringMatching(/^entryUUID:/) });
    // Settled: the next sync changes nothing.
    expect((await sync()).counts).toMatchObject({ created: 0, updated: 0, dnChanged: 0, errors: 0, deactivated: 0 });
  });
});
