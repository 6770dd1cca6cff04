import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userUid } from '../rig/directory-data';
import { closedPort } from '../rig/hang-listener';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, rigDraft, searchOps, usernames, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({ users: 1200 });
}, 60_000);
afterAll(() => slapd?.stop());
beforeEach(async () => {
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
});
afterEach(() => t.close());

const uids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => userUid(from + k));

describe('paging through the live search', () => {
  it('counts every match exactly above 1000 and shows a different page 2', async () => {
    const draft = rigDraft(slapd);
    const one = await preview(t.app, slapd, draft);
    const two = await preview(t.app, slapd, draft, { page: 2 });
    expect(one.total).toBe(1200);
    expect(two.total).toBe(1200);
    expect(usernames(one)).toEqual(uids(1, 50));
    expect(usernames(two)).toEqual(uids(51, 100));
    expect(one.hasMore).toBe(true);
    const last = await preview(t.app, slapd, draft, { page: 24 });
    expect(usernames(last)).toEqual(uids(1151, 1200));
    expect(last.hasMore).toBe(false);
    const beyond = await preview(t.app, slapd, draft, { page: 25 });
    expect(beyond.rows).toEqual([]);
    expect(beyond.summary.entries).toBe(0);
  });

  it('costs no directory traffic to go back a page or to edit a script that reads no new attribute', async () => {
    const draft = rigDraft(slapd);
    await preview(t.app, slapd, draft);
    await preview(t.app, slapd, draft, { page: 2 });
    const before = (await searchOps(slapd)).length;
    const back = await preview(t.app, slapd, draft, { page: 1 });
    const edited = await preview(t.app, slapd, { ...draft, scripts: { ...draft.scripts, active: "function(entry) { return entry.uid != 'user00002'; }" } });
    expect(usernames(back)).toEqual(uids(1, 50));
    expect(edited.rows[1]).toMatchObject({ username: 'user00002', active: false });
    expect((await searchOps(slapd)).length).toBe(before);
    // A script reading a new attribute fetches the page again, with it.
    const more = await preview(t.app, slapd, { ...draft, scripts: { ...draft.scripts, active: "function(entry) { return entry.employeeType == 'staff'; }" } });
    expect(more.summary.active).toBe(16);
    expect((await searchOps(slapd)).length).toBe(before + 1);
  });

  it('jumps forward by moving the cursor, and restarts it for a page evicted from the cache', async () => {
    const draft = rigDraft(slapd);
    await preview(t.app, slapd, draft, { pageSize: 25 });
    const before = (await searchOps(slapd)).length;
    const ten = await preview(t.app, slapd, draft, { page: 10, pageSize: 25 });
    expect(usernames(ten)).toEqual(uids(226, 250));
    // Pages 2..10: one paged-search request each on the same cursor.
    expect((await searchOps(slapd)).length).toBe(before + 9);
    await preview(t.app, slapd, draft, { page: 48, pageSize: 25 });
    const first = await preview(t.app, slapd, draft, { page: 1, pageSize: 25 });
    expect(usernames(first)).toEqual(uids(1, 25));
  });

  it('drops the cache when the filter changes, and counts each filter once', async () => {
    const draft = rigDraft(slapd);
    await preview(t.app, slapd, draft);
    const narrowed = await preview(t.app, slapd, { ...draft, searchFilter: '(&(objectClass=inetOrgPerson)(employeeType=intern)(uid=?))' });
    expect(narrowed.total).toBe(400);
    expect(narrowed.rows.every((r) => Number(r.username!.slice(4)) % 3 === 2)).toBe(true);
  });
});

describe('the username search', () => {
  it('replaces the ? with the escaped text: *)(uid=* matches nothing, an exact uid matches one', async () => {
    const draft = rigDraft(slapd);
    const hostile = await preview(t.app, slapd, draft, { search: '*)(uid=*' });
    expect(hostile.total).toBe(0);
    expect(hostile.rows).toEqual([]);
    expect(hostile.filter).toBe('(&(objectClass=inetOrgPerson)(uid=\\2a\\29\\28uid=\\2a))');
    expect(hostile.search).toBe('*)(uid=*');
    const exact = await preview(t.app, slapd, draft, { search: 'user00042' });
    expect(exact.total).toBe(1);
    expect(usernames(exact)).toEqual(['user00042']);
    expect(exact.rows[0].email).toBe('user00042@example.com');
    // Clearing the search returns to every match.
    expect((await preview(t.app, slapd, draft, { search: '' })).total).toBe(1200);
  });
});

describe('directory errors and passwords', () => {
  it('reports a wrong password and a refused connection with the doctor\'s messages', async () => {
    await expect(preview(t.app, slapd, rigDraft(slapd), { password: { kind: 'value', value: 'wrong' } })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      message: expect.stringContaining(slapd.syncDn),
    });
    const port = await closedPort();
    await expect(preview(t.app, slapd, { ...rigDraft(slapd), url: `ldap://127.0.0.1:${port}/${slapd.baseDn}` })).rejects.toMatchObject({ code: 'CONNECT_REFUSED' });
    // The session recovers with the right password.
    expect((await preview(t.app, slapd, rigDraft(slapd))).total).toBe(1200);
  });

  it('leaves the total unknown under a size limit and names the limit when paging past it', async () => {
    const draft = rigDraft(slapd, { bindDn: slapd.limitedDn });
    const password = { kind: 'value' as const, value: slapd.limitedPw };
    const one = await preview(t.app, slapd, draft, { password });
    expect(one.total).toBeNull();
    expect(one.rows).toHaveLength(50);
    await expect(preview(t.app, slapd, draft, { password, page: 11 })).rejects.toMatchObject({ code: 'SIZE_LIMIT', message: expect.stringContaining('size limit') });
  });

  it('uses a saved server\'s password only while its host and bind DN are unchanged', async () => {
    const saved = await t.app.servers.create(rigDraft(slapd), { kind: 'env', name: 'SYNC_PW' });
    const keep = { serverId: saved.id, password: { kind: 'keep' as const } };
    expect((await preview(t.app, slapd, rigDraft(slapd), keep)).total).toBe(1200);
    await expect(preview(t.app, slapd, rigDraft(slapd, { bindDn: slapd.limitedDn }), keep)).rejects.toMatchObject({ code: 'PASSWORD_REQUIRED' });
  });
});
