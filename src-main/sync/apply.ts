/**
 * Applying a plan to the store. Call inside one transaction together with the run's record, so a
 * crash at any moment (kill -9 included) leaves the store as it was before the run.
 */
import type Database from 'better-sqlite3';
import { checkpointAfterTransaction } from '../store/db';
import { nameKey } from '../store/name-key';
import { prepared } from '../store/statement-cache';
import type { StoredChange } from '../store/runs-repo';
import { userStatusStatements } from '../store/users-repo';
import type { ChangeData, SeenUser } from './planner';

/**
 * Fault injection for tests of atomicity: with LDAP_SYNC_FAULT_APPLY_PAUSE_MS set, the apply
 * pauses that long half-way through its writes, inside the transaction, so a test can kill the
 * process there. Never set in normal use.
 */
function faultPause(env: NodeJS.ProcessEnv): void {
  const ms = Number(env.LDAP_SYNC_FAULT_APPLY_PAUSE_MS ?? 0);
  if (!Number.isFinite(ms) || ms <= 0) return;
  process.stderr.write(`ldap-sync: fault injection: pausing ${ms} ms inside the apply transaction\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 600_000));
}

/** Rows to write (changes, users seen, users gone) from which an apply's checkpoint waits for the end of its transaction. */
const LARGE_APPLY = 1000;

/** Applies a plan's changes and refreshes the matched users' directory facts. Synchronous; no transaction of its own. */
export function applyChanges(
  db: Database.Database,
  o: {
    serverId: string;
    changes: readonly StoredChange[];
    seen: readonly SeenUser[];
    /** Users the search no longer returns (they were last seen at `lastSyncAt`). */
    gone?: readonly string[];
    lastSyncAt?: string | null;
    /** When the run that saw the users started (default: now). */
    seenAt?: string;
    now: Date;
    env?: NodeJS.ProcessEnv;
  },
): void {
  const at = o.now.toISOString();
  const seenAt = o.seenAt ?? at;
  // A large apply (a first sync of 100k users writes ~85 MB) is checkpointed right after its
  // transaction rather than in its commit: the run ends ~300 ms sooner.
  if (o.changes.length + o.seen.length + (o.gone?.length ?? 0) >= LARGE_APPLY) checkpointAfterTransaction(db);
  const status = userStatusStatements(db);
  const reactivate = prepared(
    db,
    `UPDATE users SET active = 1, deactivated_at = NULL, deactivated_by = NULL, deactivated_reason = NULL, updated_at = @at
    WHERE id = @id AND active = 0 AND deactivated_by = 'sync'`,
  );
  const reactivateDevices = prepared(db, `UPDATE devices SET active = 1, deactivated_at = NULL, deactivated_by = NULL WHERE user_id = @id AND active = 0 AND deactivated_by = 'user'`);
  const move = prepared(db, `UPDATE users SET org_id = @orgId, updated_at = @at WHERE id = @id`);
  const clearRoles = prepared(db, `DELETE FROM user_roles WHERE user_id = @id`);
  const addRole = prepared(db, `INSERT OR IGNORE INTO user_roles (user_id, role_id) VALUES (@id, @roleId)`);
  const update = prepared(
    db,
    `UPDATE users SET username = coalesce(@username, username), username_key = coalesce(@usernameKey, username_key),
      email = coalesce(@email, email), first_name = coalesce(@firstName, first_name), last_name = coalesce(@lastName, last_name), updated_at = @at
    WHERE id = @id`,
  );
  const moved = prepared(
    db,
    `UPDATE users SET source_server_id = @serverId, source_dn = @dn, directory_id = coalesce(@directoryId, directory_id),
      missing = 0, first_seen_at = coalesce(first_seen_at, @at), last_seen_at = @at WHERE id = @id`,
  );
  const goneStmt = prepared(db, `UPDATE users SET missing = 1, last_seen_at = coalesce(@last, last_seen_at) WHERE id = @id`);
  // Creation is the bulk of a first sync: positional parameters, statements prepared once.
  const create = db.prepare(
    `INSERT INTO users (id, username, username_key, email, first_name, last_name, org_id, active, source_server_id, source_dn,
      directory_id, first_seen_at, last_seen_at, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const createRole = db.prepare(`INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)`);
  const half = Math.floor(o.changes.length / 2);
  o.changes.forEach((c, i) => {
    if (i === half && o.changes.length >= 2) faultPause(o.env ?? process.env);
    const d = c.data as ChangeData | null;
    if (!d || !c.userId) return;
    const id = c.userId;
    switch (d.kind) {
      case 'deactivate':
        status.deactivate(id, at, 'sync', d.reason);
        break;
      case 'reactivate':
        if (reactivate.run({ id, at }).changes > 0) reactivateDevices.run({ id });
        break;
      case 'create':
        create.run(d.id, d.username, nameKey(d.username), d.email, d.firstName, d.lastName, d.orgId, o.serverId, d.dn, d.directoryId, seenAt, seenAt, at, at);
        for (const roleId of d.roleIds) createRole.run(d.id, roleId);
        break;
      case 'move':
        move.run({ id, orgId: d.orgId, at });
        break;
      case 'roles':
        clearRoles.run({ id });
        for (const roleId of d.roleIds) addRole.run({ id, roleId });
        break;
      case 'update': {
        const f = d.fields;
        update.run({
          id,
          at,
          username: f.username ?? null,
          usernameKey: f.username !== undefined ? nameKey(f.username) : null,
          email: f.email ?? null,
          firstName: f.firstName ?? null,
          lastName: f.lastName ?? null,
        });
        break;
      }
    }
  });
  if (o.changes.length < 2) faultPause(o.env ?? process.env);
  // Only rows whose facts changed are written: a user returned again is "seen" through the run's record (see 0003_sync.sql).
  for (const s of o.seen) if (s.changed) moved.run({ id: s.id, serverId: o.serverId, dn: s.dn, directoryId: s.directoryId, at: seenAt });
  for (const id of o.gone ?? []) goneStmt.run({ id, last: o.lastSyncAt ?? null });
}
