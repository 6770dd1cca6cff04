import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { finishRun, getRun, startRun } from '../../src-main/store/runs-repo';
import { writeChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { approveHeldPlan, discardHeldPlan } from '../../src-main/sync/approval';
import type { ChangeData } from '../../src-main/sync/planner';
import { serverRow } from './server-row';
import { withStoreAsync as withStore } from './store-fixture';

const T0 = new Date('2026-01-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** A server with one organization and a held plan that creates "ann" there. */
function heldPlan(db: Database.Database): string {
  insertServer(db, serverRow());
  const org = insertOrganization(db, { name: 'Dept A', authServerId: 'srv-1' });
  const data: ChangeData = { kind: 'create', id: 'user-ann', username: 'ann', email: null, firstName: null, lastName: null, orgId: org.id, roleIds: [], dn: 'uid=ann', directoryId: null };
  const change: StoredChange = { seq: 0, username: 'ann', dn: 'uid=ann', userId: 'user-ann', action: 'create', to: 'Dept A', data };
  startRun(db, { id: 'held-1', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, T0);
  db.transaction(() => {
    writeChanges(db, 'held-1', [change], true);
    finishRun(db, 'held-1', { status: 'held', entries: 1, managedBefore: 0, counts: { ...emptyish(), created: 1 }, heldReason: 'Held for review: test.' }, T0);
  })();
  return 'held-1';
}
const emptyish = () => ({ deactivated: 0, reactivated: 0, created: 0, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 });
const userNames = (db: Database.Database) => (db.prepare(`SELECT username FROM users ORDER BY username`).all() as { username: string }[]).map((r) => r.username);

describe('approval', () => {
  it('applies exactly the held plan as a new run, linked both ways, and marks the held run approved', () =>
    withStore(async ({ db }) => {
      const held = heldPlan(db);
      const run = await approveHeldPlan(db, held, { trigger: 'manual', runId: 'approve-1', now: () => at(5) });
      expect(run).toMatchObject({ id: 'approve-1', status: 'applied', kind: 'sync', relatedRunId: held, managedAfter: 1, activeAfter: 1, counts: { created: 1 } });
      expect(getRun(db, held)).toMatchObject({ status: 'approved', relatedRunId: 'approve-1' });
      expect(userNames(db)).toEqual(['ann']);
    }));

  it('refuses a plan made stale by a sync applied after it (STALE_PLAN), changing nothing', () =>
    withStore(async ({ db }) => {
      const held = heldPlan(db);
      startRun(db, { id: 'later', serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' }, at(1));
      finishRun(db, 'later', { status: 'applied', entries: 1 }, at(2));
      await expect(approveHeldPlan(db, held, { trigger: 'manual', now: () => at(5) })).rejects.toThrow(expect.objectContaining({ code: 'STALE_PLAN', message: expect.stringContaining('run later at') }));
      expect(getRun(db, held).status).toBe('held');
      expect(userNames(db)).toEqual([]);
    }));

  it('discards a held plan, which can then be neither approved nor discarded again (CONFLICT)', () =>
    withStore(async ({ db }) => {
      const held = heldPlan(db);
      expect(discardHeldPlan(db, held).status).toBe('discarded');
      await expect(approveHeldPlan(db, held, { trigger: 'manual', now: () => at(5) })).rejects.toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(() => discardHeldPlan(db, held)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
      expect(userNames(db)).toEqual([]);
    }));

  it('refuses an approval already cancelled by its signal, before taking the run lock', () =>
    withStore(async ({ db }) => {
      const held = heldPlan(db);
      const signal = AbortSignal.abort();
      await expect(approveHeldPlan(db, held, { trigger: 'manual', signal, now: () => at(5) })).rejects.toThrow(expect.objectContaining({ code: 'CANCELLED' }));
      expect(getRun(db, held).status).toBe('held');
    }));
});
