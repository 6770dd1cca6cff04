import { Client } from 'ldapts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userAttributes, userDn, userUid } from '../rig/directory-data';
import { startSlapd, type Slapd } from '../rig/slapd';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { openTestApp, preview, rigDraft, usernames, type TestApp } from './preview-fixture';

// A preview that tells the truth (issue 13.2), against a real slapd: search modes sent to the
// directory and evaluated on a snapshot alike, Refresh reads again and says when, problems only,
// unknown names as warnings, a snapshot of another tree says why it finds nothing, and which saved
// scripts return an organization or role name.
let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({ users: 120, extras: true });
}, 60_000);
afterAll(() => slapd?.stop());
beforeEach(async () => {
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
});
afterEach(() => t.close());

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => userUid(from + k));

async function asRoot<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ url: slapd.url });
  await c.bind(slapd.rootDn, slapd.rootPw);
  try {
    return await fn(c);
  } finally {
    await c.unbind();
  }
}

describe('username search', () => {
  it('finds usernames that begin with the text, sending an escaped prefix filter', async () => {
    const r = await preview(t.app, slapd, rigDraft(slapd), { search: 'user0001', match: 'prefix' });
    expect(r.filter).toContain('(uid=user0001*)');
    expect(r.match).toBe('prefix');
    expect(usernames(r)).toEqual(range(10, 19));
    expect(r.total).toBe(10);
  });

  it('finds usernames that contain the text anywhere', async () => {
    const r = await preview(t.app, slapd, rigDraft(slapd), { search: '0011', match: 'contains' });
    expect(r.filter).toContain('(uid=*0011*)');
    expect(usernames(r)).toEqual([userUid(11), ...range(110, 119)]);
  });

  it('still escapes what the admin types: stars and parentheses match literally in every mode', async () => {
    for (const match of ['exact', 'prefix', 'contains'] as const) {
      const r = await preview(t.app, slapd, rigDraft(slapd), { search: '*)(uid=*', match });
      expect(r.filter).toContain('\\2a\\29\\28uid=\\2a');
      expect(r.rows).toEqual([]);
    }
  });

  it('matches the same users on a snapshot of the directory as on the directory itself', async () => {
    const server = await t.app.servers.create({ ...rigDraft(slapd), name: 'Snap' }, { kind: 'env', name: 'SYNC_PW' });
    const snap = await t.app.snapshots.capture({ serverId: server.id, attributes: 'all' });
    for (const [search, match] of [['user0001', 'prefix'], ['0011', 'contains'], ['user00007', 'exact']] as const) {
      const live = await preview(t.app, slapd, rigDraft(slapd), { search, match });
      const offline = await preview(t.app, slapd, rigDraft(slapd), { sessionId: 'snap', search, match, source: { kind: 'snapshot', snapshotId: snap.id } });
      expect(usernames(offline)).toEqual(usernames(live));
    }
  });
});

describe('refresh and the time the data was read', () => {
  it('keeps showing cached entries with their read time until Refresh reads the directory again', async () => {
    const draft = rigDraft(slapd);
    const first = await preview(t.app, slapd, draft);
    expect(usernames(first)).toContain(userUid(3));
    expect(Date.parse(first.readAt)).toBeLessThanOrEqual(Date.now());
    await asRoot((c) => c.del(userDn(3)));
    try {
      // A script edit re-evaluates the cached page: the deleted user is still there, read at the same time.
      const cached = await preview(t.app, slapd, { ...draft, scripts: { ...draft.scripts, active: 'e => false' } });
      expect(usernames(cached)).toContain(userUid(3));
      expect(cached.readAt).toBe(first.readAt);
      const fresh = await preview(t.app, slapd, draft, { refresh: true });
      expect(usernames(fresh)).not.toContain(userUid(3));
      expect(fresh.total).toBe(first.total! - 1);
      expect(Date.parse(fresh.readAt)).toBeGreaterThan(Date.parse(first.readAt));
    } finally {
      await asRoot((c) => c.add(userDn(3), { objectClass: 'inetOrgPerson', ...userAttributes(3) }));
    }
  });
});

describe('problems', () => {
  it('shows only the rows with problems when asked, and still counts the whole page', async () => {
    const scripts = { ...defaultScripts(), orgName: "e => e.uid == 'user00002' || e.uid == 'user00005' ? 'Nowhere' : 'Known'" };
    insertOrganization(t.app.store.db, { name: 'Known' });
    const r = await preview(t.app, slapd, rigDraft(slapd, { scripts }), { pageSize: 10, problemsOnly: true });
    expect(r.problemsOnly).toBe(true);
    expect(usernames(r)).toEqual([userUid(2), userUid(5)]);
    expect(r.summary).toMatchObject({ entries: 10, users: 10, errors: 0, warnings: 2 });
    expect(r.missing).toEqual({ organizations: ['Nowhere'], roles: [] });
    expect(r.rows[0].errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_ORG', severity: 'warning', name: 'Nowhere' })]);
  });

  it('says a syntax error once for the page, and counts no row as an error for it', async () => {
    const scripts = { ...defaultScripts(), active: 'function(entry) {\n  return (;\n}' };
    const r = await preview(t.app, slapd, rigDraft(slapd, { scripts }), { pageSize: 25 });
    expect(r.scriptFailures).toEqual([expect.objectContaining({ script: 'active', code: 'SCRIPT_SYNTAX', line: 2, entries: 25 })]);
    expect(r.rows.flatMap((row) => row.errors)).toEqual([]);
    expect(r.summary.errors).toBe(0);
  });
});

describe('a snapshot of another part of the directory', () => {
  it('says why it finds no entries instead of showing 0 entries', async () => {
    const server = await t.app.servers.create({ ...rigDraft(slapd), name: 'People' }, { kind: 'env', name: 'SYNC_PW' });
    const snap = await t.app.snapshots.capture({ serverId: server.id, attributes: 'all' });
    const elsewhere = rigDraft(slapd, {}, slapd.extrasDn);
    await expect(preview(t.app, slapd, elsewhere, { source: { kind: 'snapshot', snapshotId: snap.id } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/was captured at "ou=people,.*none of its \d+ entries is at or below this server's search base "ou=extras,/),
    });
  });
});

describe('saved scripts that return a name', () => {
  it('lists the servers whose Org name or Role name script spells the name, ignoring case', async () => {
    const scripts = { ...defaultScripts(), orgName: "// 'Ignored' in a comment\ne => e.ou == 'x' ? \"Sales\" : `Support`", roleName: "e => ['Staff', 'Org Admin']" };
    const a = await t.app.servers.create({ ...rigDraft(slapd), name: 'A', scripts }, { kind: 'env', name: 'SYNC_PW' });
    await t.app.servers.create({ ...rigDraft(slapd), name: 'B' }, { kind: 'env', name: 'SYNC_PW' });
    expect(t.app.preview.scriptsReturning('org', 'sales')).toEqual([{ serverId: a.id, serverName: 'A', script: 'orgName' }]);
    expect(t.app.preview.scriptsReturning('org', 'Support')).toHaveLength(1);
    expect(t.app.preview.scriptsReturning('org', 'Ignored')).toEqual([]);
    expect(t.app.preview.scriptsReturning('org', 'x')).toHaveLength(1);
    expect(t.app.preview.scriptsReturning('role', 'org admin')).toEqual([{ serverId: a.id, serverName: 'A', script: 'roleName' }]);
    expect(t.app.preview.scriptsReturning('role', 'Sales')).toEqual([]);
  });
});
