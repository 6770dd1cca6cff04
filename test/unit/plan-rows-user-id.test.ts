import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { copyChanges, storedApplyChanges, storedChanges, writeChanges, type StoredChange } from '../../src-main/store/plan-rows-repo';
import { startRun } from '../../src-main/store/runs-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { serverRow } from './server-row';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lss-plan-rows-'));
  store = openStore(join(dir, 'store.sqlite'));
  insertServer(store.db, serverRow());
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const changes: StoredChange[] = [
  { seq: 0, username: 'new', dn: 'uid=new', userId: 'planned-id', action: 'create', to: 'Dept A', data: { kind: 'create', id: 'planned-id' } },
  { seq: 1, username: 'old', dn: 'uid=old', userId: 'user-1', action: 'deactivate', reason: 'gone', data: { kind: 'deactivate', reason: 'gone' } },
  { seq: 2, username: 'back', dn: 'uid=back', userId: 'user-2', action: 'reused', from: 'a', to: 'b', data: null },
];

it("a create's planned user id is stored only with the apply data; other rows keep their user", () => {
  const { db } = store;
  for (const id of ['plain', 'held']) {
    startRun(db, { id, serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'simulate', trigger: 'manual' });
    db.prepare(`DELETE FROM sync_lock`).run();
  }
  writeChanges(db, 'plain', changes);
  writeChanges(db, 'held', changes, true);
  expect(storedChanges(db, 'plain').map((c) => [c.username, c.userId, c.data])).toEqual([
    ['new', null, null],
    ['old', 'user-1', null],
    ['back', 'user-2', null],
  ]);
  expect(storedChanges(db, 'held').map((c) => [c.username, c.userId])).toEqual([
    ['new', 'planned-id'],
    ['old', 'user-1'],
    ['back', 'user-2'],
  ]);
  // The plan view shows the same rows either way (a reused username's row names its user for Relink).
  expect(storedChanges(db, 'plain').map(({ userId: _u, data: _d, ...row }) => row)).toEqual(storedChanges(db, 'held').map(({ userId: _u, data: _d, ...row }) => row));
});

it("copying a held plan's rows to the run that applies it stores them as writing them would", () => {
  const { db } = store;
  for (const id of ['plain', 'held', 'approved']) {
    startRun(db, { id, serverId: 'srv-1', serverName: 'Corporate LDAP', kind: 'sync', trigger: 'manual' });
    db.prepare(`DELETE FROM sync_lock`).run();
  }
  writeChanges(db, 'plain', changes);
  writeChanges(db, 'held', changes, true);
  copyChanges(db, 'held', 'approved');
  expect(storedChanges(db, 'approved')).toEqual(storedChanges(db, 'plain'));
  // What applying the held plan reads: every change's user and data, in plan order.
  expect(storedApplyChanges(db, 'held')).toEqual(changes.map((c) => ({ action: c.action, userId: c.userId, data: c.data })));
});
