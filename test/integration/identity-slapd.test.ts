/**
 * Identity edge cases against a real slapd (issue 11, part 6): renames and OU moves shown as DN
 * changes, a deleted and re-added entry with the same uid (a new entryUUID) as a reused username
 * that never takes over the old account and counts toward the hold limits, snapshot compare by
 * entryUUID, and the one email rule of preview and sync. The directory is changed as the rootdn.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { formatRun, runJson } from '../../src-main/cli/format-sync';
import { formatComparison } from '../../src-main/cli/format-snapshot';
import type { ServerView } from '../../src-shared/domain/server';
import type { RunSummary } from '../../src-shared/domain/sync';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;
let app: AppContext;
let server: ServerView;

async function ldap(tool: 'ldapmodify' | 'ldapadd' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  await run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, ...args], { input });
}

const uidDn = (uid: string, ou = '') => `uid=${uid},${ou ? `${ou},` : ''}${slapd.baseDn}`;
const MOVED_OU = 'ou=moved';

function user(username: string) {
  const u = app.directory.findUser(username);
  if (!u) throw new Error(`no user ${username}`);
  return u;
}

const syncRun = (mode: 'sync' | 'simulate' = 'sync') => app.sync.run({ serverId: server.id, mode, trigger: 'manual' });

async function sync(): Promise<RunSummary> {
  const r = await syncRun();
  if (r.status !== 'applied') throw new Error(`sync ${r.status}: ${r.error?.message ?? r.heldReason}`);
  return r;
}

/** Limits that hold a plan deactivating anyone (count 0): DN changes must not trip them. */
const strict = () => app.sync.saveSettings({ ...app.sync.settings(), deactivationLimit: { percent: 100, count: 0, dropPercent: 100 } });
const relaxed = () => app.sync.saveSettings({ ...app.sync.settings(), deactivationLimit: { percent: 100, count: 1_000_000, dropPercent: 100 } });

/** The entry of `uid` as LDIF (to delete and add it again: a new entryUUID). */
async function entryLdif(dn: string): Promise<string> {
  return (await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', dn, '-s', 'base', '(objectClass=*)'])).stdout;
}

/** The entry's directory ID as the sync stores it. */
async function entryUuidOf(dn: string): Promise<string> {
  const out = (await run('ldapsearch', ['-x', '-LLL', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', dn, '-s', 'base', '(objectClass=*)', 'entryUUID'])).stdout;
  return `entryUUID:${/^entryUUID: (.+)$/m.exec(out)![1].toLowerCase()}`;
}

// Each test runs several syncs and directory writes: room for a busy machine.
const SLOW = { timeout: 120_000 };

beforeAll(async () => {
  slapd = await startSlapd({ users: 12, logOps: false });
  await ldap('ldapadd', `dn: ${MOVED_OU},${slapd.baseDn}\nobjectClass: organizationalUnit\nou: moved\n`);
}, 60_000);
afterAll(async () => {
  await t?.close();
  await slapd?.stop();
});

beforeEach(async () => {
  await t?.close();
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  app = t.app;
  server = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', createUsers: true }, { kind: 'env', name: 'SYNC_PW' });
  const org = app.directory.createOrg({ name: 'Staff', parentId: null, authServerId: server.id });
  server = (await app.servers.update(server.id, { ...rigDraft(slapd), name: 'Corp', createUsers: true, defaultOrgId: org.id }, { kind: 'keep' })).server;
  relaxed();
});

describe('identity edge cases against a real slapd', SLOW, () => {
  it('shows a rename and an OU move as DN changes (from and to DN), applies the new DNs, and holds nothing for them', async () => {
    await sync();
    const [renamed, moved] = [user('user00001'), user('user00002')];
    await ldap('ldapmodify', `dn: ${uidDn('user00001')}\nchangetype: modrdn\nnewrdn: uid=user00001b\ndeleteoldrdn: 1\n`);
    await ldap('ldapmodify', `dn: ${uidDn('user00002')}\nchangetype: modrdn\nnewrdn: uid=user00002\ndeleteoldrdn: 1\nnewsuperior: ${MOVED_OU},${slapd.baseDn}\n`);
    try {
      strict();
      const r = await sync();
      expect(r.counts).toMatchObject({ dnChanged: 2, updated: 1, deactivated: 0, created: 0, reused: 0 });
      const changes = [...app.sync.allChanges(r.id)];
      expect(changes.filter((c) => c.action === 'dn')).toEqual([
        expect.objectContaining({ username: 'user00001', from: uidDn('user00001'), to: uidDn('user00001b'), reason: expect.stringMatching(/^Renamed in the directory; the same entry/) }),
        expect.objectContaining({ username: 'user00002', from: uidDn('user00002'), to: uidDn('user00002', MOVED_OU), reason: expect.stringMatching(/^Moved to another container in the directory/) }),
      ]);
      expect(user('user00001b')).toMatchObject({ id: renamed.id, sourceDn: uidDn('user00001b'), directoryId: renamed.directoryId });
      expect(user('user00002')).toMatchObject({ id: moved.id, sourceDn: uidDn('user00002', MOVED_OU), directoryId: moved.directoryId });
      // The CLI's text and JSON show them too.
      const text = formatRun(r, changes, changes.length);
      expect(text).toContain('1 updated, 2 DN changed, 0 errors');
      expect(text).toMatch(new RegExp(`^DN change +user00002 +${uidDn('user00002')} +${uidDn('user00002', MOVED_OU)} +Moved to another container`, 'm'));
      expect(runJson(r, changes).changes).toContainEqual({ username: 'user00002', dn: uidDn('user00002', MOVED_OU), action: 'dn', from: uidDn('user00002'), to: uidDn('user00002', MOVED_OU), reason: expect.any(String) });
      // History keeps the rows: filter by the action.
      expect(app.sync.changes({ runId: r.id, filter: 'dn', search: null, offset: 0, limit: 10 })).toMatchObject({ total: 2, byAction: { dn: 2, update: 1 } });
    } finally {
      await ldap('ldapmodify', `dn: ${uidDn('user00001b')}\nchangetype: modrdn\nnewrdn: uid=user00001\ndeleteoldrdn: 1\n`);
      await ldap('ldapmodify', `dn: ${uidDn('user00002', MOVED_OU)}\nchangetype: modrdn\nnewrdn: uid=user00002\ndeleteoldrdn: 1\nnewsuperior: ${slapd.baseDn}\n`);
    }
  });

  it('never gives an account to a re-added entry of the same uid (a new entryUUID): a reused username naming both IDs, held by the limits, then applied', async () => {
    await sync();
    const old = user('user00003');
    const ldif = await entryLdif(uidDn('user00003'));
    await ldap('ldapdelete', '', [uidDn('user00003')]);
    await ldap('ldapadd', ldif);
    const newId = await entryUuidOf(uidDn('user00003'));
    expect(newId).not.toBe(old.directoryId);
    // And a rename in the same plan: approving the held plan applies its DN change too.
    await ldap('ldapmodify', `dn: ${uidDn('user00008')}\nchangetype: modrdn\nnewrdn: cn=User 8\ndeleteoldrdn: 0\n`);

    strict();
    const held = await syncRun().finally(() => ldap('ldapmodify', `dn: cn=User 8,${slapd.baseDn}\nchangetype: modrdn\nnewrdn: uid=user00008\ndeleteoldrdn: 0\n`));
    expect(held.status).toBe('held');
    expect(held.counts).toMatchObject({ reused: 1, deactivated: 1, created: 0, dnChanged: 1 });
    expect(held.heldReason).toContain('it would deactivate 1 users (1 of them because their username now comes from a different directory entry), more than the limit of 0');
    const [c] = [...app.sync.allChanges(held.id)].filter((x) => x.action === 'reused');
    expect(c).toMatchObject({ action: 'reused', username: 'user00003', dn: uidDn('user00003'), from: old.directoryId, to: newId, userId: old.id });
    expect(c.reason).toContain(`now comes from a different directory entry (${newId}, ${uidDn('user00003')}) than the user's (${old.directoryId})`);
    expect(c.reason).toContain('ldap-sync users relink user00003');
    expect(user('user00003')).toMatchObject({ active: true, directoryId: old.directoryId });

    // Approved: the old account is deactivated and keeps its ID; nobody else gets it.
    const applied = await app.sync.approve(held.id, { trigger: 'approve' });
    expect(applied.status).toBe('applied');
    expect(user('user00003')).toMatchObject({ id: old.id, active: false, deactivatedBy: 'sync', deactivatedReason: `Username taken by a different directory entry (${newId})`, directoryId: old.directoryId });
    expect(user('user00008').sourceDn).toBe(`cn=User 8,${slapd.baseDn}`);

    // Still reused at the next sync, with nothing left to apply.
    relaxed();
    const again = await sync();
    // (user00008's entry was renamed back after the held run: a DN change back.)
    expect(again.counts).toMatchObject({ reused: 1, deactivated: 0, created: 0, dnChanged: 1 });
    expect(formatRun(again, [...app.sync.allChanges(again.id)].filter((x) => x.action === 'reused'), 1)).toMatch(/^Reused username +user00003 +entryUUID:\S+ +entryUUID:\S+ +The username "user00003" now comes from/m);

    // The admin relinks (the same person): the next sync gives them the account, by username.
    expect(app.directory.relinkUser(old.id)).toBe(true);
    const back = await sync();
    expect(back.counts).toMatchObject({ reactivated: 1, reused: 0, created: 0 });
    expect(user('user00003')).toMatchObject({ id: old.id, active: true, directoryId: newId });
  });

  it('releases the name of a reused username whose new entry is someone else: the old account is renamed, and the next sync creates a new user', async () => {
    await sync();
    const old = user('user00007');
    const ldif = await entryLdif(uidDn('user00007'));
    await ldap('ldapdelete', '', [uidDn('user00007')]);
    await ldap('ldapadd', ldif);
    expect(() => app.directory.releaseUsername(old.id)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const reused = await sync();
    expect(reused.counts).toMatchObject({ reused: 1, deactivated: 1, created: 0 });

    const releasedAs = app.directory.releaseUsername(old.id);
    expect(releasedAs).toMatch(/^user00007~released-\d{4}-\d{2}-\d{2}$/);
    const next = await sync();
    expect(next.counts).toMatchObject({ created: 1, reused: 0, reactivated: 0 });
    const fresh = user('user00007');
    expect(fresh.id).not.toBe(old.id);
    expect(fresh).toMatchObject({ active: true, directoryId: await entryUuidOf(uidDn('user00007')) });
    expect(user(releasedAs)).toMatchObject({ id: old.id, active: false, directoryId: old.directoryId });
  });

  it('compares a snapshot with the directory by entryUUID: a renamed and a moved entry are renamed, a re-added one removed and added', async () => {
    const snap = await app.snapshots.capture({ serverId: server.id, attributes: 'all', name: 'Before' });
    await ldap('ldapmodify', `dn: ${uidDn('user00004')}\nchangetype: modrdn\nnewrdn: uid=user00004b\ndeleteoldrdn: 1\n`);
    await ldap('ldapmodify', `dn: ${uidDn('user00005')}\nchangetype: modrdn\nnewrdn: uid=user00005\ndeleteoldrdn: 1\nnewsuperior: ${MOVED_OU},${slapd.baseDn}\n`);
    const ldif = await entryLdif(uidDn('user00006'));
    await ldap('ldapdelete', '', [uidDn('user00006')]);
    await ldap('ldapadd', ldif);
    try {
      const c = await app.snapshots.compare({ snapshot: snap.id });
      expect(c).toMatchObject({ added: 1, removed: 1, changed: 0, renamed: 2, unchanged: 9, matchedBy: 'entryUUID' });
      expect(c.differences).toEqual(
        expect.arrayContaining([
          { dn: uidDn('user00004b'), kind: 'renamed', attributes: ['uid'], fromDn: uidDn('user00004'), values: [{ attribute: 'uid', before: ['user00004'], after: ['user00004b'], more: 0 }] },
          { dn: uidDn('user00005', MOVED_OU), kind: 'renamed', attributes: [], fromDn: uidDn('user00005'), values: [] },
          { dn: uidDn('user00006'), kind: 'added', attributes: [] },
          { dn: uidDn('user00006'), kind: 'removed', attributes: [] },
        ]),
      );
      const text = formatComparison(snap, 'Corp', c);
      expect(text).toContain('  1 added, 1 removed, 0 changed, 2 renamed, 9 unchanged\n  Entries matched by entryUUID');
      expect(text).toMatch(new RegExp(`^renamed +${uidDn('user00004')} -> ${uidDn('user00004b')} +uid$`, 'm'));
      expect(text).toContain(`Changed values (snapshot -> live):\n  ${uidDn('user00004b')}\n    uid: user00004 -> user00004b\n`);
    } finally {
      await ldap('ldapmodify', `dn: ${uidDn('user00004b')}\nchangetype: modrdn\nnewrdn: uid=user00004\ndeleteoldrdn: 1\n`);
      await ldap('ldapmodify', `dn: ${uidDn('user00005', MOVED_OU)}\nchangetype: modrdn\nnewrdn: uid=user00005\ndeleteoldrdn: 1\nnewsuperior: ${slapd.baseDn}\n`);
    }
  });

  it('applies one email rule: the preview flags an entry without mail, and the sync creates no user for it, saying why', async () => {
    await ldap('ldapadd', `dn: ${uidDn('nomail2')}\nobjectClass: inetOrgPerson\nuid: nomail2\ncn: No Mail\nsn: Mail\n`);
    try {
      const p = await preview(app, slapd, { ...rigDraft(slapd), name: 'Corp' }, { search: 'nomail2' });
      expect(p.rows.find((r) => r.username === 'nomail2')?.errors.map((e) => e.code)).toContain('MISSING_EMAIL');
      const r = await sync();
      expect([...app.sync.allChanges(r.id)].filter((c) => c.username === 'nomail2')).toEqual([
        expect.objectContaining({
          action: 'error',
          reason: 'No email: the entry has no "mail" value, so no user is created. Fill in mail in the directory, or map email to another attribute (in Active Directory, userPrincipalName).',
        }),
      ]);
      expect(app.directory.findUser('nomail2')).toBeNull();
    } finally {
      await ldap('ldapdelete', '', [uidDn('nomail2')]);
    }
  });
});
