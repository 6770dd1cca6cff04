/**
 * Choosing and opening the entry source of a run, a preview, a capture or a comparison, written
 * once: an offline server always reads its snapshot, a snapshot that no longer exists is refused
 * with NOT_FOUND, and the live directory resolves the bind password only when it is the source.
 */
import type Database from 'better-sqlite3';
import type { EntrySourceRef } from '../../src-shared/domain/snapshot';
import { AppError } from '../../src-shared/errors';
import type { EntrySource } from '../directory/entry-source';
import type { LdapTarget } from '../ldap/target';
import { LdapEntrySource } from '../preview/ldap-source';
import { SnapshotEntrySource } from '../snapshots/snapshot-source';
import type { GroupClosure } from '../groups/group-closure';
import { readLiveGroups, snapshotGroups } from '../groups/read-groups';

/** The fields of a server (saved or a draft) that decide its source. */
export interface SourceServer {
  offline: boolean;
  snapshotId: string | null;
}

/**
 * The source to read: an offline server's snapshot (INVALID_INPUT when it has none; `savedName`
 * names a saved server in that message), else the requested one (default: the live directory).
 */
export function chooseSource(server: SourceServer, requested?: EntrySourceRef, savedName?: string): EntrySourceRef {
  if (!server.offline) return requested ?? { kind: 'live' };
  if (server.snapshotId) return { kind: 'snapshot', snapshotId: server.snapshotId };
  if (savedName !== undefined) throw new AppError('INVALID_INPUT', `"${savedName}" is offline and has no snapshot: attach one in its setup form.`);
  throw new AppError('INVALID_INPUT', 'An offline server needs a snapshot as its source: choose one first.', [{ path: 'snapshotId', message: 'Choose a snapshot' }]);
}

/** What {@link openSource} needs. */
export interface OpenSourceOptions {
  db: Database.Database;
  target: LdapTarget;
  source: EntrySourceRef;
  /** Resolves the bind password (called for the live directory only). */
  password: () => Promise<string | null>;
  /** A whole read follows (a run, a capture): start the read worker now, and do not load a small snapshot for paging. */
  readAll?: boolean;
}

/** Opens the chosen source; the caller closes it. */
export async function openSource(o: OpenSourceOptions): Promise<EntrySource> {
  if (o.source.kind === 'snapshot') {
    return new SnapshotEntrySource({ db: o.db, snapshotId: o.source.snapshotId, searchFilter: o.target.searchFilter, baseDn: o.target.baseDn }, !o.readAll);
  }
  const password = await o.password();
  return new LdapEntrySource({ target: o.target, password, readAhead: o.readAll });
}

/**
 * The groups below the search base of the same source, for scripts that use the `groups`
 * helpers (nested membership): one strict search of the live directory, or a snapshot's own
 * group entries (an error naming the fix when it holds none).
 */
export async function openGroups(o: OpenSourceOptions & { signal?: AbortSignal }): Promise<GroupClosure> {
  if (o.source.kind === 'snapshot') return snapshotGroups(o.db, o.source.snapshotId, o.target.baseDn);
  return readLiveGroups({ target: o.target, password: await o.password(), signal: o.signal });
}
