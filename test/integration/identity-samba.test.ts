/**
 * Identity edge cases against a real Active Directory (Samba AD DC): a rename and an OU move are
 * DN changes of the same user, matched by objectGUID (sAMAccountName unchanged); a deleted and
 * re-created account with the same sAMAccountName (a new objectGUID) is a reused username that
 * never takes over the old account; snapshot compare matches entries by objectGUID. The entries
 * live in an OU of their own, added and changed as Administrator over ldaps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import type { ServerDraft, ServerView } from '../../src-shared/domain/server';
import type { RunSummary } from '../../src-shared/domain/sync';
import { startSambaDc, type SambaDc } from '../rig/samba';
import { openTestApp, type TestApp } from './preview-fixture';

const AD_FILTER = '(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))';

let dc: SambaDc;
let t: TestApp;
let app: AppContext;
let server: ServerView;

const base = () => `OU=Identity,${dc.baseDn}`;
const ou = (name: string) => `OU=${name},${base()}`;
const GUID = /^objectGUID:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function person(cn: string, parent: string, sam: string): string {
  return [`dn: CN=${cn},${parent}`, 'objectClass: user', `sAMAccountName: ${sam}`, `givenName: ${cn.split(' ')[0]}`, 'sn: Identity', `mail: ${sam}@samdom.test`, `userPrincipalName: ${sam}@samdom.test`, 'userAccountControl: 512'].join('\n');
}

function adDraft(): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'Samba AD',
    url: `${dc.ldapsUrl}/${base()}`,
    bindDn: dc.reader.upn,
    searchFilter: AD_FILTER,
    timeoutSeconds: 30,
    trustedCertificates: [parseTrustedPem(dc.caPem, 'ca')],
    createUsers: true,
  };
}

function user(username: string) {
  const u = app.directory.findUser(username);
  if (!u) throw new Error(`no user ${username}`);
  return u;
}

const syncRun = () => app.sync.run({ serverId: server.id, mode: 'sync', trigger: 'manual' });
async function sync(): Promise<RunSummary> {
  const r = await syncRun();
  if (r.status !== 'applied') throw new Error(`sync ${r.status}: ${r.error?.message ?? r.heldReason}`);
  return r;
}
/** Any deactivation holds the plan (count 0). */
const strict = () => app.sync.saveSettings({ ...app.sync.settings(), deactivationLimit: { percent: 100, count: 0, dropPercent: 100 } });

// Each test runs several syncs and directory writes: room for a busy machine.
const SLOW = { timeout: 120_000 };

beforeAll(async () => {
  dc = await startSambaDc();
  await dc.add(
    [
      `dn: ${base()}\nobjectClass: organizationalUnit`,
      `dn: ${ou('Sales')}\nobjectClass: organizationalUnit`,
      `dn: ${ou('Staff')}\nobjectClass: organizationalUnit`,
      person('Ann Able', ou('Sales'), 'aable'),
      person('Ben Baker', ou('Sales'), 'bbaker'),
      person('Cid Cole', ou('Sales'), 'ccole'),
    ].join('\n\n') + '\n',
  );
  t = await openTestApp({ AD_PW: dc.reader.password });
  app = t.app;
  server = await app.servers.create(adDraft(), { kind: 'env', name: 'AD_PW' });
  const org = app.directory.createOrg({ name: 'AD people', parentId: null, authServerId: server.id });
  server = (await app.servers.update(server.id, { ...adDraft(), defaultOrgId: org.id }, { kind: 'keep' })).server;
}, 180_000);
afterAll(async () => {
  await t?.close();
  await dc?.stop();
});

describe('identity edge cases on Active Directory (Samba)', SLOW, () => {
  it('keeps the users of a renamed and a moved account (same objectGUID), showing each as a DN change that holds nothing', async () => {
    const first = await sync();
    expect(first.counts).toMatchObject({ created: 3, errors: 0 });
    const [ann, ben] = [user('aable'), user('bbaker')];
    expect(ann.directoryId).toMatch(GUID);
    const snapshot = await app.snapshots.capture({ serverId: server.id, attributes: 'all', name: 'AD before' });

    await dc.modify(`dn: CN=Ann Able,${ou('Sales')}\nchangetype: modrdn\nnewrdn: CN=Ann Able-Renamed\ndeleteoldrdn: 1\n`);
    await dc.modify(`dn: CN=Ben Baker,${ou('Sales')}\nchangetype: modrdn\nnewrdn: CN=Ben Baker\ndeleteoldrdn: 1\nnewsuperior: ${ou('Staff')}\n`);
    strict();
    const r = await sync();
    expect(r.counts).toMatchObject({ dnChanged: 2, updated: 0, created: 0, deactivated: 0, reused: 0 });
    // In the directory's order: sorted here by username.
    const changes = [...app.sync.allChanges(r.id)].sort((a, b) => (a.username ?? '').localeCompare(b.username ?? ''));
    expect(changes).toEqual([
      expect.objectContaining({ action: 'dn', username: 'aable', from: `CN=Ann Able,${ou('Sales')}`, to: `CN=Ann Able-Renamed,${ou('Sales')}`, reason: expect.stringMatching(/^Renamed in the directory; the same entry/) }),
      expect.objectContaining({ action: 'dn', username: 'bbaker', from: `CN=Ben Baker,${ou('Sales')}`, to: `CN=Ben Baker,${ou('Staff')}`, reason: expect.stringMatching(/^Moved to another container/) }),
    ]);
    expect(user('aable')).toMatchObject({ id: ann.id, directoryId: ann.directoryId, sourceDn: `CN=Ann Able-Renamed,${ou('Sales')}` });
    expect(user('bbaker')).toMatchObject({ id: ben.id, directoryId: ben.directoryId, sourceDn: `CN=Ben Baker,${ou('Staff')}` });

    // snapshot compare finds them by objectGUID: renamed, not removed and added.
    const c = await app.snapshots.compare({ snapshot: snapshot.id });
    expect(c).toMatchObject({ added: 0, removed: 0, renamed: 2, matchedBy: 'objectGUID' });
    expect(c.differences).toContainEqual(expect.objectContaining({ kind: 'renamed', dn: `CN=Ben Baker,${ou('Staff')}`, fromDn: `CN=Ben Baker,${ou('Sales')}` }));
  });

  it('does not give the account of a deleted user to a re-created one with the same sAMAccountName (a new objectGUID)', async () => {
    const cid = user('ccole');
    await dc.modify(`dn: CN=Cid Cole,${ou('Sales')}\nchangetype: delete\n`);
    await dc.add(`${person('Cid Cole', ou('Staff'), 'ccole')}\n`);

    const held = await syncRun();
    expect(held.status).toBe('held');
    expect(held.counts).toMatchObject({ reused: 1, deactivated: 1, created: 0 });
    const [c] = [...app.sync.allChanges(held.id)];
    expect(c).toMatchObject({ action: 'reused', username: 'ccole', from: cid.directoryId, to: expect.stringMatching(GUID), dn: `CN=Cid Cole,${ou('Staff')}` });
    expect(c.to).not.toBe(cid.directoryId);
    expect(c.reason).toContain(`than the user's (${cid.directoryId})`);
    expect(user('ccole')).toMatchObject({ id: cid.id, active: true, directoryId: cid.directoryId });

    await app.sync.approve(held.id, { trigger: 'approve' });
    expect(user('ccole')).toMatchObject({ id: cid.id, active: false, deactivatedBy: 'sync', directoryId: cid.directoryId });
  });
});
