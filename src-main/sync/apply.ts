/**
 * Applying a plan to the store. Call inside one transaction together with the run's record, so a
 * crash at any moment (kill -9 included) leaves the store as it was before the run.
 */
import type Database from 'better-sqlite3';
import { checkpointAfterTransaction } from '../store/db';
import type { StoredChange } from '../store/runs-repo';
import { syncWrites } from '../store/sync-writes';
import type { ChangeData, SeenUser } from './planner';

/** What applying one change needs: its user and its apply data (a plan row without its texts). */
export type ApplyChange = Pick<StoredChange, 'userId' | 'data'>;

/** Rows to write (changes, users seen, users gone) from which an apply's checkpoint waits for the end of its transaction. */
const LARGE_APPLY = 1000;

/** Applies a plan's changes and refreshes the matched users' directory facts. Synchronous; no transaction of its own. */
export function applyChanges(
  db: Database.Database,
  o: {
    serverId: string;
    changes: readonly ApplyChange[];
    seen: readonly SeenUser[];
    /** Users the search no longer returns (they were last seen at `lastSyncAt`). */
    gone?: readonly string[];
    lastSyncAt?: string | null;
    /** When the run that saw the users started (default: now). */
    seenAt?: string;
    now: Date;
  },
): void {
  const at = o.now.toISOString();
  const seenAt = o.seenAt ?? at;
  // A large apply (a first sync of 100k users writes ~85 MB) is checkpointed right after its
  // transaction rather than in its commit: the run ends ~300 ms sooner.
  if (o.changes.length + o.seen.length + (o.gone?.length ?? 0) >= LARGE_APPLY) checkpointAfterTransaction(db);
  const write = syncWrites(db);
  for (const c of o.changes) {
    const d = c.data as ChangeData | null;
    if (!d || !c.userId) continue;
    const id = c.userId;
    switch (d.kind) {
      case 'deactivate':
        write.deactivate(id, at, d.reason);
        break;
      case 'reactivate':
        write.reactivate(id, at);
        break;
      case 'create':
        write.create(d, o.serverId, seenAt, at);
        break;
      case 'move':
        write.move(id, d.orgId, at);
        break;
      case 'roles':
        write.setRoles(id, d.roleIds);
        break;
      case 'update':
        write.update(id, d.fields, at);
        break;
    }
  }
  // Only rows whose facts changed are written: a user returned again is "seen" through the run's record (see 0003_sync.sql).
  for (const s of o.seen) if (s.changed) write.seen(s.id, o.serverId, s.dn, s.directoryId, seenAt);
  for (const id of o.gone ?? []) write.gone(id, o.lastSyncAt ?? null);
}
