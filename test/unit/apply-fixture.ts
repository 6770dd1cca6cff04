/**
 * What the apply tests share: stores in a temp folder of their own (each with server srv-1 and the
 * organization "Dept A"), closed and removed after every test, and a first sync's create changes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import type { StoredChange } from '../../src-main/store/plan-rows-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import type { ChangeData } from '../../src-main/sync/planner';
import { serverRow } from './server-row';

/** Registers the temp folder's hooks; returns `newStore(name)`: a store there with srv-1 and "Dept A" (its id returned). */
export function applyStores(prefix: string): (name: string) => { db: Database.Database; orgId: string } {
  let dir: string;
  const stores: Store[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return (name) => {
    const store = openStore(join(dir, `${name}.sqlite`));
    stores.push(store);
    insertServer(store.db, serverRow());
    return { db: store.db, orgId: insertOrganization(store.db, { name: 'Dept A', authServerId: 'srv-1' }).id };
  };
}

/** A first sync's changes: `n` users created in organization `orgId` (seq 0 on). */
export function createChanges(n: number, orgId: string): StoredChange[] {
  return Array.from({ length: n }, (_, seq) => {
    const data: ChangeData = { kind: 'create', id: `user-${seq}`, username: `ann${seq}`, email: `ann${seq}@example.com`, firstName: 'Ann', lastName: `Lee ${seq}`, orgId, roleIds: [], dn: `uid=ann${seq},dc=example,dc=com`, directoryId: `dir-${seq}` };
    return { seq, username: data.username, dn: data.dn, userId: data.id, action: 'create', to: 'Dept A', data };
  });
}
