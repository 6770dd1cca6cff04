/**
 * What the schedule runs when: SyncService.dueServers over a real store and a real (or refused)
 * directory. The clock is fake (vi.setSystemTime): runs start at a known time and the test moves
 * the clock on instead of waiting.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { RETRY_AFTER_FAILURE_MS } from '../../src-main/sync/schedule';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, rigDraft, type TestApp } from './preview-fixture';

let slapd: Slapd;
let t: TestApp;
let app: AppContext;

beforeAll(async () => {
  slapd = await startSlapd({ users: 20, logOps: false });
}, 60_000);
afterAll(async () => {
  await slapd?.stop();
});
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  t = await openTestApp({ SYNC_PW: slapd.syncPw });
  app = t.app;
});
afterEach(async () => {
  vi.useRealTimers();
  await t.close();
});

const HOUR = 3_600_000;

it('runs a server that manages an organization at once, then every interval after its last sync', async () => {
  const s = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', createUsers: false }, { kind: 'env', name: 'SYNC_PW' });
  expect(app.sync.dueServers(new Date())).toEqual([]); // manages nothing yet
  app.directory.createOrg({ name: 'Staff', parentId: null, authServerId: s.id });
  expect(app.sync.dueServers()).toEqual([{ serverId: s.id, serverName: 'Corp' }]);
  const r = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'schedule' });
  expect(r.status).toBe('applied');
  const started = Date.parse(r.startedAt);
  expect(started).toBe(T0);
  vi.setSystemTime(T0 + 11 * HOUR);
  expect(app.sync.dueServers()).toEqual([]);
  expect(app.sync.overview().servers[0].nextRunAt).toBe(new Date(T0 + 12 * HOUR).toISOString());
  expect(app.sync.dueServers(new Date(started + 12 * HOUR - 1000))).toEqual([]);
  expect(app.sync.dueServers(new Date(started + 12 * HOUR + 1000))).toHaveLength(1);
  app.sync.saveSettings({ ...app.sync.settings(), every: 'never' });
  expect(app.sync.dueServers(new Date(started + 100 * HOUR))).toEqual([]);
  expect(app.sync.overview().servers[0].nextRunAt).toBeNull();
});

it('retries a failed sync after 15 minutes, and plans nothing new while a plan is held', async () => {
  const s = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', createUsers: true, url: `ldap://127.0.0.1:1/${slapd.baseDn}` }, { kind: 'env', name: 'SYNC_PW' });
  const org = app.directory.createOrg({ name: 'Staff', parentId: null, authServerId: s.id });
  const failed = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'schedule' });
  expect(failed.status).toBe('failed');
  expect(failed.error?.code).toBe('CONNECT_REFUSED');
  const at = Date.parse(failed.startedAt);
  vi.setSystemTime(at + RETRY_AFTER_FAILURE_MS - 1000);
  expect(app.sync.dueServers()).toEqual([]);
  vi.setSystemTime(at + RETRY_AFTER_FAILURE_MS + 1000);
  expect(app.sync.dueServers()).toHaveLength(1);

  // Now reachable: a first sync creates 20 users; then deleting 5 of 20 entries (25% > 10%) is held.
  const draft = { ...rigDraft(slapd), name: 'Corp', createUsers: true, defaultOrgId: org.id };
  await app.servers.update(s.id, draft, { kind: 'keep' });
  expect((await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'manual' })).counts.created).toBe(20);
  for (let i = 1; i <= 5; i++) await run('ldapdelete', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, slapd.userDn(i)]);
  const held = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'schedule' });
  expect(held.status).toBe('held');
  expect(held.heldReason).toContain('25% of the 20 managed users');
  expect(app.sync.dueServers(new Date(Date.parse(held.startedAt) + 100 * HOUR))).toEqual([]);
  expect(app.sync.overview().servers[0].held?.id).toBe(held.id);
  app.sync.discard(held.id);
  expect(app.sync.dueServers(new Date(Date.parse(held.startedAt) + 13 * HOUR))).toHaveLength(1);
});

it('keeps "registrants not found" pointing at its organization when that organization is renamed', () => {
  const org = app.directory.createOrg({ name: 'Guests', parentId: null, authServerId: null });
  app.sync.saveSettings({ ...app.sync.settings(), registrantsNotFound: { action: 'placeInOrg', org: 'guests' } });
  app.directory.updateOrg(org.id, { name: 'Visitors', parentId: null, authServerId: null });
  expect(app.sync.settings().registrantsNotFound).toEqual({ action: 'placeInOrg', org: 'Visitors' });
  expect(() => app.sync.saveSettings({ ...app.sync.settings(), registrantsNotFound: { action: 'placeInOrg', org: 'Nowhere' } })).toThrow(/No organization is named "Nowhere"/);
});
