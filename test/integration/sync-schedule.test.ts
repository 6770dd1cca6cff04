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

it('waits for a first sync by hand, then runs a server every interval after its last sync', async () => {
  const s = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', createUsers: false }, { kind: 'env', name: 'SYNC_PW' });
  expect(app.sync.dueServers(new Date())).toEqual([]); // manages nothing yet
  app.directory.createOrg({ name: 'Staff', parentId: null, authServerId: s.id });
  // Managing now, but the schedule never makes a server's first real changes.
  expect(app.sync.dueServers(new Date(T0 + 100 * HOUR))).toEqual([]);
  expect(app.sync.overview().servers[0]).toMatchObject({ nextRunAt: null, scheduleNote: expect.stringContaining('Waits for a first sync by hand') });
  const r = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'manual' });
  expect(r.status).toBe('applied');
  const started = Date.parse(r.startedAt);
  expect(started).toBe(T0);
  vi.setSystemTime(T0 + 11 * HOUR);
  expect(app.sync.dueServers()).toEqual([]);
  expect(app.sync.overview().servers[0]).toMatchObject({ nextRunAt: new Date(T0 + 12 * HOUR).toISOString(), scheduleNote: null });
  expect(app.sync.dueServers(new Date(started + 12 * HOUR - 1000))).toEqual([]);
  expect(app.sync.dueServers(new Date(started + 12 * HOUR + 1000))).toHaveLength(1);
  app.sync.saveSettings({ ...app.sync.settings(), every: 'never' });
  expect(app.sync.dueServers(new Date(started + 100 * HOUR))).toEqual([]);
  expect(app.sync.overview().servers[0].nextRunAt).toBeNull();
});

it('retries a failed sync after 15 minutes, and plans nothing new while a plan is held', async () => {
  const reachable = { ...rigDraft(slapd), name: 'Corp', createUsers: true };
  const s = await app.servers.create(reachable, { kind: 'env', name: 'SYNC_PW' });
  const org = app.directory.createOrg({ name: 'Staff', parentId: null, authServerId: s.id });
  await app.servers.update(s.id, { ...reachable, defaultOrgId: org.id }, { kind: 'keep' });
  // The first sync, by hand, creates 20 users.
  expect((await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'manual' })).counts.created).toBe(20);

  // The directory becomes unreachable: the scheduled sync fails and is retried 15 minutes later.
  await app.servers.update(s.id, { ...reachable, defaultOrgId: org.id, url: `ldap://127.0.0.1:1/${slapd.baseDn}` }, { kind: 'env', name: 'SYNC_PW' });
  vi.setSystemTime(T0 + 13 * HOUR);
  const failed = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'schedule' });
  expect(failed.status).toBe('failed');
  expect(failed.error?.code).toBe('CONNECT_REFUSED');
  const at = Date.parse(failed.startedAt);
  vi.setSystemTime(at + RETRY_AFTER_FAILURE_MS - 1000);
  expect(app.sync.dueServers()).toEqual([]);
  vi.setSystemTime(at + RETRY_AFTER_FAILURE_MS + 1000);
  expect(app.sync.dueServers()).toHaveLength(1);

  // Reachable again: deleting 5 of 20 entries (25% > 10%) is held.
  await app.servers.update(s.id, { ...reachable, defaultOrgId: org.id }, { kind: 'env', name: 'SYNC_PW' });
  for (let i = 1; i <= 5; i++) await run('ldapdelete', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, slapd.userDn(i)]);
  const held = await app.sync.run({ serverId: s.id, mode: 'sync', trigger: 'schedule' });
  expect(held.status).toBe('held');
  expect(held.heldReason).toContain('25% of the 20 managed users');
  expect(app.sync.dueServers(new Date(Date.parse(held.startedAt) + 100 * HOUR))).toEqual([]);
  expect(app.sync.overview().servers[0]).toMatchObject({ held: { id: held.id }, scheduleNote: expect.stringContaining('held plan') });
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
