/**
 * Why a snapshot gives no entries for a server's search base: said as an error naming both bases,
 * instead of an empty preview.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { snapshotBaseFit } from '../../src-shared/domain/snapshot-base';
import { dnKey, underBase } from '../snapshots/snapshot-source';
import { getSnapshot, snapshotEntries } from '../store/snapshots-repo';

/**
 * Throws INVALID_INPUT when the snapshot holds entries but none at or below `serverBase`; returns
 * quietly otherwise (an empty snapshot, or entries under the base that the filter did not match).
 */
export function checkSnapshotBase(db: Database.Database, snapshotId: string, serverBase: string): void {
  const s = getSnapshot(db, snapshotId);
  if (!s || s.entries === 0 || serverBase.trim() === '') return;
  const baseKey = dnKey(serverBase);
  let example: string | null = null;
  for (const e of snapshotEntries(db, snapshotId)) {
    if (underBase(dnKey(e.dn), baseKey)) return;
    example ??= e.dn;
  }
  const where = s.baseDn && snapshotBaseFit(s.baseDn, serverBase) === 'other' ? `was captured at "${s.baseDn}"` : `holds entries such as "${example}"`;
  throw new AppError(
    'INVALID_INPUT',
    `The snapshot "${s.name}" ${where}, and none of its ${s.entries.toLocaleString('en-US')} entries is at or below this server's search base "${serverBase}". Choose a snapshot of this directory, or change the search base in the URL.`,
    [{ path: 'source', message: 'Choose a snapshot captured at or below the search base' }],
  );
}
