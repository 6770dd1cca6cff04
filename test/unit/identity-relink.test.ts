import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { forgetDirectoryId, relinkReusedOfRun } from '../../src-main/store/identity-repo';
import { writeChanges } from '../../src-main/store/plan-rows-repo';
import { startRun } from '../../src-main/store/runs-repo';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { findUser, insertUser } from '../../src-main/store/users-repo';
import { heldReason } from '../../src-main/sync/hold-policy';
import { serverRow } from './server-row';

// Reused usernames outside the planner: how the held reason names them, and relinking in a real store.

describe('held reason with reused usernames', () => {
  const LIMIT = { count: 0, percent: 100, dropPercent: 100 };

  it('says how many of the deactivations are reused usernames', () => {
    expect(heldReason({ deactivated: 3, reused: 2, managedBefore: 100, entries: 100, lastEntries: 100 }, LIMIT)).toBe(
      'Held for review: it would deactivate 3 users (2 of them because their username now comes from a different directory entry), more than the limit of 0. Review the plan, then apply exactly this plan or discard it.',
    );
  });

  it('does not mention them when there are none', () => {
    expect(heldReason({ deactivated: 1, reused: 0, managedBefore: 100, entries: 100, lastEntries: 100 }, LIMIT)).not.toContain('username');
  });
});

describe('relinking a user (forgetting their directory ID)', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'identity-relink-'));
    store = openStore(join(dir, 'store.sqlite'));
    insertServer(store.db, serverRow());
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forgets the stored directory ID once, keeping everything else of the user', () => {
    const org = insertOrganization(store.db, { name: 'Mine', authServerId: 'srv-1' });
    const id = insertUser(store.db, { username: 'ann', orgId: org.id, email: 'ann@x', sourceServerId: 'srv-1', sourceDn: 'uid=ann', directoryId: 'entryUUID:1' });
    expect(forgetDirectoryId(store.db, id)).toBe(true);
    expect(findUser(store.db, 'ann')).toMatchObject({ id, directoryId: null, sourceDn: 'uid=ann', email: 'ann@x', active: true });
    expect(forgetDirectoryId(store.db, id)).toBe(false);
  });

  it('relinks the users of every reused username of a run at once (and only those)', () => {
    const org = insertOrganization(store.db, { name: 'Mine', authServerId: 'srv-1' });
    const [a, b, c] = ['ann', 'bob', 'cy'].map((u, i) => insertUser(store.db, { username: u, orgId: org.id, directoryId: `entryUUID:${i}` }));
    startRun(store.db, { id: 'run-1', serverId: 'srv-1', serverName: 'Corp', kind: 'sync', trigger: 'manual' }, new Date());
    writeChanges(store.db, 'run-1', [
      { seq: 0, username: 'ann', dn: 'uid=ann', userId: a, action: 'reused', from: 'entryUUID:0', to: 'entryUUID:9', data: null },
      { seq: 1, username: 'bob', dn: 'uid=bob', userId: b, action: 'dn', from: 'uid=b', to: 'uid=bob', data: null },
      { seq: 2, username: 'cy', dn: 'uid=cy', userId: c, action: 'reused', from: 'entryUUID:2', to: 'entryUUID:8', data: null },
    ]);
    expect(relinkReusedOfRun(store.db, 'run-1')).toBe(2);
    expect(['ann', 'bob', 'cy'].map((u) => findUser(store.db, u)?.directoryId)).toEqual([null, 'entryUUID:1', null]);
  });

  it('refuses an unknown user with NOT_FOUND', () => {
    expect(() => forgetDirectoryId(store.db, 'no-such-user')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});
