/**
 * What the bundled sample directory marks in the store (servers.sample, organizations.sample,
 * snapshots.origin = 'sample'), as named queries for the sample service: find it, mark it, remove it.
 */
import type Database from 'better-sqlite3';
import { nameKey } from './name-key';
import { prepared } from './statement-cache';

/** The sample's server, if installed. */
export function sampleServer(db: Database.Database): { id: string; snapshotId: string | null } | undefined {
  return prepared(db, `SELECT id, snapshot_id AS snapshotId FROM servers WHERE sample = 1 LIMIT 1`).get() as { id: string; snapshotId: string | null } | undefined;
}

/** The store holds no server, organization or user yet. */
export function storeIsEmpty(db: Database.Database): boolean {
  const count = (sql: string) => (prepared(db, sql).get() as { n: number }).n;
  return count(`SELECT COUNT(*) AS n FROM servers`) === 0 && count(`SELECT COUNT(*) AS n FROM organizations`) === 0 && count(`SELECT COUNT(*) AS n FROM users`) === 0;
}

/** A snapshot already has this name (ignoring case). */
export function snapshotNameTaken(db: Database.Database, name: string): boolean {
  return prepared(db, `SELECT 1 FROM snapshots WHERE name_key = ?`).get(nameKey(name)) !== undefined;
}

/** Marks a server as the sample's. */
export function markSampleServer(db: Database.Database, serverId: string): void {
  prepared(db, `UPDATE servers SET sample = 1 WHERE id = ?`).run(serverId);
}

/** Marks an organization as the sample's. */
export function markSampleOrganization(db: Database.Database, orgId: string): void {
  prepared(db, `UPDATE organizations SET sample = 1 WHERE id = ?`).run(orgId);
}

/** Sets a server's default organization for new users. */
export function setDefaultOrganization(db: Database.Database, serverId: string, orgId: string | null): void {
  prepared(db, `UPDATE servers SET default_org_id = ? WHERE id = ?`).run(orgId, serverId);
}

/** The sample's organizations. */
export function sampleOrganizations(db: Database.Database): { id: string; name: string }[] {
  return prepared(db, `SELECT id, name FROM organizations WHERE sample = 1`).all() as { id: string; name: string }[];
}

/** Sample organizations that have users, with how many, by name. */
export function populatedSampleOrganizations(db: Database.Database): { name: string; n: number }[] {
  return prepared(db, `SELECT o.name, COUNT(u.id) AS n FROM organizations o JOIN users u ON u.org_id = o.id WHERE o.sample = 1 GROUP BY o.id ORDER BY o.name_key`).all() as {
    name: string;
    n: number;
  }[];
}

/**
 * Removes the sample's server, snapshots and organizations (call in a transaction). The admin's
 * own organizations under a sample one move to the top level, and stop signing in with the sample
 * server; sample organizations are deleted children first.
 */
export function removeSampleRecords(db: Database.Database, serverId: string | null): void {
  prepared(db, `UPDATE organizations SET parent_id = NULL WHERE sample = 0 AND parent_id IN (SELECT id FROM organizations WHERE sample = 1)`).run();
  if (serverId) {
    prepared(db, `UPDATE organizations SET auth_server_id = NULL WHERE auth_server_id = ? AND sample = 0`).run(serverId);
    prepared(db, `DELETE FROM servers WHERE id = ?`).run(serverId);
  }
  prepared(db, `DELETE FROM snapshots WHERE origin = 'sample'`).run();
  // Children first: delete leaves until none is left.
  const remaining = () => (prepared(db, `SELECT COUNT(*) AS n FROM organizations WHERE sample = 1`).get() as { n: number }).n;
  while (remaining() > 0) {
    const deleted = prepared(db, `DELETE FROM organizations WHERE sample = 1 AND id NOT IN (SELECT parent_id FROM organizations WHERE parent_id IS NOT NULL)`).run().changes;
    if (deleted === 0) break;
  }
}
