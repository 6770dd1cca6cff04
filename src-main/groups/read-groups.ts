/**
 * Reading the groups under a server's search base, for nested membership: from the live
 * directory with one strict paged search in the read worker (like every whole read: any error
 * fails it, so a missing page never reads as "in no group"), or from a snapshot's own entries.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { readDirectory } from '../ldap/reader';
import type { LdapTarget } from '../ldap/target';
import { dnKey as subtreeKey, underBase } from '../snapshots/snapshot-source';
import { getSnapshot, snapshotEntries } from '../store/snapshots-repo';
import { GROUP_FILTER, GroupClosure, isGroupEntry, MEMBER_ATTRIBUTES } from './group-closure';

/** Options of {@link readLiveGroups}. */
export interface LiveGroupsOptions {
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  signal?: AbortSignal;
}

/** The equivalent search, for messages and docs: every group below the base, with its members. */
export function groupSearchText(baseDn: string): string {
  return `base "${baseDn}", filter ${GROUP_FILTER}, attributes ${MEMBER_ATTRIBUTES.join(' ')}`;
}

/** Attributes a snapshot capture stores for each group (what {@link snapshotGroups} reads back). */
export const GROUP_ENTRY_ATTRIBUTES = ['objectClass', 'cn', ...MEMBER_ATTRIBUTES] as const;

/**
 * Every group below the search base of the live directory, page by page, with `attributes`
 * (default: the member attributes only). Errors say that it was the groups' read that failed.
 */
export async function readGroupEntries(o: LiveGroupsOptions & { attributes?: readonly string[]; onPage(entries: DirectoryEntry[]): void | Promise<void> }): Promise<void> {
  try {
    await readDirectory({
      // The whole-read path takes a server's filter, whose (attr=?) it reads as (attr=*): one that is always true.
      target: { ...o.target, searchFilter: `(&${GROUP_FILTER}(objectClass=?))` },
      password: o.password,
      attributes: [...(o.attributes ?? MEMBER_ATTRIBUTES)],
      signal: o.signal,
      onPage: o.onPage,
    });
  } catch (err) {
    if (err instanceof AppError && err.code !== 'CANCELLED') {
      throw new AppError(err.code, `Reading the groups for the scripts' groups helpers failed (${groupSearchText(o.target.baseDn)}): ${err.message}`, err.fields);
    }
    throw err;
  }
}

/** The groups below the search base of the live directory, with their members. */
export async function readLiveGroups(o: LiveGroupsOptions): Promise<GroupClosure> {
  const closure = new GroupClosure();
  await readGroupEntries({ ...o, onPage: (entries) => closure.addEntries(entries) });
  return closure;
}

/**
 * The groups a snapshot holds below the search base. A snapshot holding none cannot answer
 * "which groups is this entry in" (a capture stores what the server's filter matches, usually
 * users only): that is an error naming the fix, never "in no group".
 */
export function snapshotGroups(db: Database.Database, snapshotId: string, baseDn: string): GroupClosure {
  const closure = new GroupClosure();
  const base = baseDn.trim() === '' ? '' : subtreeKey(baseDn);
  for (const entry of snapshotEntries(db, snapshotId)) {
    if (!underBase(subtreeKey(entry.dn), base) || !isGroupEntry(entry)) continue;
    closure.addEntries([entry]);
  }
  if (closure.size === 0) {
    const name = getSnapshot(db, snapshotId)?.name ?? snapshotId;
    throw new AppError(
      'INVALID_INPUT',
      `The scripts use the groups helpers (nested group membership), but snapshot "${name}" holds no groups below the search base (entries with objectClass group, groupOfNames or groupOfUniqueNames and their members), so no membership can be known. Nothing was changed. Capture the snapshot again (a capture stores the groups when the server's scripts use the groups helpers), import an LDIF export that includes the groups, or simulate against the live directory.`,
    );
  }
  return closure;
}
