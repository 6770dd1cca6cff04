import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { SnapshotOrigin, SnapshotView } from '../../src-shared/domain/snapshot';
import { AppError } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { nameKey } from './name-key';
import { hostname } from 'node:os';
import { isSqliteBusy, processAlive } from './runs-repo';
import { prepared } from './statement-cache';

/** One stored entry: the app's DirectoryEntry (text values as they are, binary values as base64, named in `binary`). */
export type SnapshotEntry = DirectoryEntry;

export interface NewSnapshot {
  name: string;
  origin: SnapshotOrigin;
  serverId?: string | null;
  serverName?: string | null;
  baseDn?: string | null;
  filter?: string | null;
  attributes: 'all' | 'used';
  fileName?: string | null;
  capturedAt?: string;
  /** 'capturing' until the last page is written. */
  status: 'ready' | 'capturing';
}

/** A stored snapshot: what the renderer sees (without who uses it) plus whether a capture is still writing it. */
export interface SnapshotRow extends Omit<SnapshotView, 'usedBy'> {
  status: 'ready' | 'capturing';
}

const COLUMNS = `id, name, origin, server_id AS serverId, server_name AS serverName, base_dn AS baseDn, filter, attributes, file_name AS fileName,
  captured_at AS capturedAt, entry_count AS entries, status`;

/** Stores a new, empty snapshot. Throws CONFLICT when the name is taken. */
export function insertSnapshot(db: Database.Database, s: NewSnapshot, now: Date = new Date()): SnapshotRow {
  const name = s.name.trim();
  if (name === '') throw new AppError('INVALID_INPUT', 'Enter a name for the snapshot.', [{ path: 'name', message: 'Enter a name' }]);
  const id = randomUUID();
  try {
    prepared(
      db,
      `INSERT INTO snapshots (id, name, name_key, origin, server_id, server_name, base_dn, filter, attributes, file_name, captured_at, entry_count, status,
        capture_pid, capture_host, created_at)
      VALUES (@id, @name, @k, @origin, @serverId, @serverName, @baseDn, @filter, @attributes, @fileName, @capturedAt, 0, @status, @pid, @host, @at)`,
    ).run({
      id,
      name,
      k: nameKey(name),
      origin: s.origin,
      serverId: s.serverId ?? null,
      serverName: s.serverName ?? null,
      baseDn: s.baseDn ?? null,
      filter: s.filter ?? null,
      attributes: s.attributes,
      fileName: s.fileName ?? null,
      capturedAt: s.capturedAt ?? now.toISOString(),
      status: s.status,
      pid: s.status === 'capturing' ? process.pid : null,
      host: s.status === 'capturing' ? hostname() : null,
      at: now.toISOString(),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new AppError('CONFLICT', `A snapshot named "${name}" already exists. Choose another name (--name).`, [{ path: 'name', message: 'This name is taken' }]);
    }
    throw error;
  }
  return getSnapshot(db, id)!;
}

/** Appends entries (numbered from `firstSeq`) and updates the count. */
export function appendSnapshotEntries(db: Database.Database, id: string, firstSeq: number, entries: readonly SnapshotEntry[]): void {
  const insert = prepared(db, `INSERT INTO snapshot_entries (snapshot_id, seq, dn, attributes_json, binary_json) VALUES (@id, @seq, @dn, @a, @b)`);
  entries.forEach((e, i) => insert.run({ id, seq: firstSeq + i, dn: e.dn, a: JSON.stringify(e.attributes), b: e.binary?.length ? JSON.stringify(e.binary) : null }));
  prepared(db, `UPDATE snapshots SET entry_count = entry_count + @n WHERE id = @id`).run({ id, n: entries.length });
}

/** Marks a capture complete. */
export function markSnapshotReady(db: Database.Database, id: string, capturedAt: string): void {
  prepared(db, `UPDATE snapshots SET status = 'ready', captured_at = @at, capture_pid = NULL, capture_host = NULL WHERE id = @id`).run({ id, at: capturedAt });
}

export function getSnapshot(db: Database.Database, id: string): SnapshotRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM snapshots WHERE id = @id`).get({ id }) as SnapshotRow | undefined;
}

export function findSnapshotByName(db: Database.Database, name: string): SnapshotRow | undefined {
  return prepared(db, `SELECT ${COLUMNS} FROM snapshots WHERE name_key = @k AND status = 'ready'`).get({ k: nameKey(name) }) as SnapshotRow | undefined;
}

/** A ready snapshot by id or name; throws NOT_FOUND naming how to list them. */
export function mustFindSnapshot(db: Database.Database, idOrName: string): SnapshotRow {
  const s = (/^[0-9a-f-]{36}$/i.test(idOrName) ? getSnapshot(db, idOrName) : undefined) ?? findSnapshotByName(db, idOrName);
  if (!s || s.status !== 'ready') throw new AppError('NOT_FOUND', `No snapshot is named "${idOrName}". List them with: ldap-sync snapshot list`);
  return s;
}

export function listSnapshots(db: Database.Database): SnapshotView[] {
  const rows = prepared(db, `SELECT ${COLUMNS} FROM snapshots WHERE status = 'ready' ORDER BY name_key`).all() as SnapshotRow[];
  const users = prepared(db, `SELECT name FROM servers WHERE snapshot_id = @id ORDER BY name_key`);
  return rows.map(({ status: _s, ...r }) => ({ ...r, usedBy: (users.all({ id: r.id }) as { name: string }[]).map((u) => u.name) }));
}

export function deleteSnapshot(db: Database.Database, id: string): void {
  prepared(db, `DELETE FROM snapshots WHERE id = @id`).run({ id });
}

/** Removes captures that never finished because their process died (a crash or kill during a capture). */
export function removeUnfinishedSnapshots(db: Database.Database): number {
  const rows = prepared(db, `SELECT id, capture_pid AS pid, capture_host AS host FROM snapshots WHERE status = 'capturing'`).all() as { id: string; pid: number | null; host: string | null }[];
  const dead = rows.filter((r) => r.pid === null || (r.host === hostname() && !processAlive(r.pid)));
  if (dead.length === 0) return 0;
  try {
    return db.transaction(() => dead.reduce((n, r) => n + prepared(db, `DELETE FROM snapshots WHERE id = @id AND status = 'capturing'`).run({ id: r.id }).changes, 0))();
  } catch (e) {
    if (isSqliteBusy(e)) return 0; // another process is writing: clean up next time
    throw e;
  }
}

type RawEntry = { seq: number; dn: string; a: string; b: string | null };
const toEntry = (r: RawEntry): SnapshotEntry & { seq: number } => (r.b ? { seq: r.seq, dn: r.dn, attributes: JSON.parse(r.a), binary: JSON.parse(r.b) } : { seq: r.seq, dn: r.dn, attributes: JSON.parse(r.a) });

/** Every entry of a snapshot, in order (streamed). */
export function* snapshotEntries(db: Database.Database, id: string): IterableIterator<SnapshotEntry & { seq: number }> {
  for (const r of db.prepare(`SELECT seq, dn, attributes_json AS a, binary_json AS b FROM snapshot_entries WHERE snapshot_id = @id ORDER BY seq`).iterate({ id }) as IterableIterator<RawEntry>) {
    yield toEntry(r);
  }
}

/** Entries by their sequence numbers, in the order given. */
export function snapshotEntriesBySeq(db: Database.Database, id: string, seqs: readonly number[]): (SnapshotEntry & { seq: number })[] {
  if (seqs.length === 0) return [];
  const rows = db
    .prepare(`SELECT seq, dn, attributes_json AS a, binary_json AS b FROM snapshot_entries WHERE snapshot_id = ? AND seq IN (SELECT value FROM json_each(?))`)
    .all(id, JSON.stringify(seqs)) as RawEntry[];
  const bySeq = new Map(rows.map((r) => [r.seq, toEntry(r)]));
  return seqs.map((s) => bySeq.get(s)).filter((e): e is SnapshotEntry & { seq: number } => !!e);
}

/** Up to `limit` entries after position `afterSeq`, in order (for reading in chunks without holding a cursor across awaits). */
export function snapshotEntriesAfter(db: Database.Database, id: string, afterSeq: number, limit: number): (SnapshotEntry & { seq: number })[] {
  return (
    prepared(db, `SELECT seq, dn, attributes_json AS a, binary_json AS b FROM snapshot_entries WHERE snapshot_id = @id AND seq > @after ORDER BY seq LIMIT @limit`).all({
      id,
      after: afterSeq,
      limit,
    }) as RawEntry[]
  ).map(toEntry);
}
