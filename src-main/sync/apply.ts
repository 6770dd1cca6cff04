/**
 * Applying a plan to the store. Call inside one transaction together with the run's record, so a
 * crash at any moment (kill -9 included) leaves the store as it was before the run.
 */
import type Database from 'better-sqlite3';
import { checkpointAfterTransaction } from '../store/db';
import type { StoredChange } from '../store/plan-rows-repo';
import { syncWrites, type SyncedUser } from '../store/sync-writes';
import type { ChangeData, SeenUser } from './planner';

/** What applying one change needs: its user and its apply data (a plan row without its texts). */
export type ApplyChange = Pick<StoredChange, 'userId' | 'data'>;

/** Rows to write (changes, users seen, users gone) from which an apply's checkpoint waits for the end of its transaction. */
const LARGE_APPLY = 1000;

/** What {@link applyChanges} and {@link planApplier} need besides the changes. */
export interface ApplyContext {
  serverId: string;
  /** When the previous applied sync started: users it saw and this run does not were last seen then. */
  lastSyncAt?: string | null;
  /** When the run that saw the users started (default: now). */
  seenAt?: string;
  now: Date;
}

/** Applies a plan's changes and refreshes the matched users' directory facts. Synchronous; no transaction of its own. */
export function applyChanges(
  db: Database.Database,
  o: ApplyContext & {
    changes: readonly ApplyChange[];
    seen: readonly SeenUser[];
    /** Users the search no longer returns (they were last seen at `lastSyncAt`). */
    gone?: readonly string[];
  },
): void {
  // A large apply (a first sync of 100k users writes ~85 MB) is checkpointed right after its
  // transaction rather than in its commit: the run ends ~300 ms sooner.
  if (o.changes.length + o.seen.length + (o.gone?.length ?? 0) >= LARGE_APPLY) checkpointAfterTransaction(db);
  const apply = planApplier(db, o);
  apply.changes(o.changes);
  apply.seen(o.seen);
  apply.gone(o.gone ?? []);
}

/**
 * The writes of {@link applyChanges} in parts, for an apply whose input arrives in chunks (the apply
 * worker's): call changes, then seen, then gone, all inside one transaction the caller holds.
 */
export function planApplier(db: Database.Database, o: ApplyContext) {
  const at = o.now.toISOString();
  const seenAt = o.seenAt ?? at;
  const write = syncWrites(db);
  return {
    /** Applies changes in order (those without data or user write nothing). */
    changes(changes: readonly ApplyChange[]): void {
      // Consecutive creates (a first sync's plan is nearly all creates) are written together, many
      // users per statement; any other change first writes the creates before it.
      const creates: SyncedUser[] = [];
      const flush = () => {
        if (creates.length === 0) return;
        write.createAll(creates, o.serverId, seenAt, at);
        creates.length = 0;
      };
      for (const c of changes) {
        const d = c.data as ChangeData | null;
        if (!d || !c.userId) continue;
        if (d.kind === 'create') {
          creates.push(d);
          continue;
        }
        flush();
        const id = c.userId;
        switch (d.kind) {
          case 'deactivate':
            write.deactivate(id, at, d.reason);
            break;
          case 'reactivate':
            write.reactivate(id, at);
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
          case 'dn':
            // A sync also writes it through `seen` (the same values); an approval only from here.
            write.seen(id, o.serverId, d.dn, d.directoryId, seenAt);
            break;
        }
      }
      flush();
    },
    /** Records where users were seen. Only rows whose facts changed are written: a user returned again is "seen" through the run's record (see 0003_sync.sql). */
    seen(seen: readonly SeenUser[]): void {
      for (const s of seen) if (s.changed) write.seen(s.id, o.serverId, s.dn, s.directoryId, seenAt);
    },
    /** Marks users the search no longer returns as missing. */
    gone(ids: readonly string[]): void {
      for (const id of ids) write.gone(id, o.lastSyncAt ?? null);
    },
  };
}
