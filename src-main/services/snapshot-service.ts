import { basename } from 'node:path';
import { visibleControls } from '../../src-shared/text/visible-controls';
import type Database from 'better-sqlite3';
import type { ServerDraft } from '../../src-shared/domain/server';
import type { SnapshotComparison, SnapshotProgress, SnapshotView } from '../../src-shared/domain/snapshot';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter, parseFilter, type FilterNode } from '../../src-shared/ldap/filter';
import { targetFromDraft } from '../ldap/target';
import { attributesToFetch } from '../preview/preview-attributes';
import { ldifChunks } from '../snapshots/ldif-write';
import { importLdif, openLdifFile, textInput, type LdifImportProgress } from './ldif-import';
import { getServer, offlineServerNamesOf } from '../store/servers-repo';
import {
  appendSnapshotEntries,
  deleteSnapshot,
  insertSnapshot,
  listSnapshots,
  markSnapshotReady,
  mustFindSnapshot,
  removeUnfinishedSnapshots,
  snapshotEntries,
  snapshotEntriesAfter,
} from '../store/snapshots-repo';
import { DIRECTORY_ID_ATTRIBUTES } from '../sync/directory-id';
import type { EntrySource } from '../directory/entry-source';
import { inSlices, SLICE } from '../directory/page-slices';
import { openSource } from './open-source';
import { SnapshotComparer } from './snapshot-compare';
import { normalizeScripts } from './script-checks';
import { usesGroups } from '../scripts/used-attributes';
import { dnKey, isGroupEntry } from '../groups/group-closure';
import { GROUP_ENTRY_ATTRIBUTES, readGroupEntries } from '../groups/read-groups';
import { compiledFilter } from '../snapshots/snapshot-source';
import type { DirectoryEntry } from '../directory/entry';
import type { ServerService } from './servers-service';
import { draftOfStored } from './stored-draft';

/** Captures, LDIF import and export, comparison with the live directory. */
export class SnapshotService {
  constructor(private readonly deps: { db: Database.Database; servers: ServerService; now?: () => Date }) {
    removeUnfinishedSnapshots(deps.db);
  }

  private get db(): Database.Database {
    return this.deps.db;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  list(): SnapshotView[] {
    return listSnapshots(this.db);
  }

  get(idOrName: string): SnapshotView {
    const s = mustFindSnapshot(this.db, idOrName);
    return this.list().find((v) => v.id === s.id)!;
  }

  delete(idOrName: string): void {
    const s = mustFindSnapshot(this.db, idOrName);
    const offline = offlineServerNamesOf(this.db, s.id).map((name) => ({ name }));
    if (offline.length) {
      throw new AppError('CONFLICT', `"${s.name}" is the only source of the offline server${offline.length === 1 ? '' : 's'} ${offline.map((o) => `"${o.name}"`).join(', ')}. Attach another snapshot to ${offline.length === 1 ? 'it' : 'them'} or delete ${offline.length === 1 ? 'it' : 'them'} first.`);
    }
    deleteSnapshot(this.db, s.id);
  }

  /** The live directory of a saved server as a source for a whole read (its stored password). */
  private liveSource(serverId: string, draft: ServerDraft): Promise<EntrySource> {
    const password = () => this.deps.servers.passwordForDraft({ serverId, draft, password: { kind: 'keep' } });
    return openSource({ db: this.db, target: targetFromDraft(draft), source: { kind: 'live' }, readAll: true, password });
  }

  private serverDraft(serverId: string): { draft: ServerDraft; name: string } {
    const row = getServer(this.db, serverId);
    if (!row) throw new AppError('NOT_FOUND', 'This server no longer exists.');
    return { draft: draftOfStored(this.db, row), name: row.name };
  }

  /**
   * Captures every entry the server's search returns (all attributes, or only those mapped and read
   * by the scripts) into a new snapshot, page by page: memory stays bounded, progress is reported,
   * and a cancelled or failed capture leaves no snapshot behind.
   */
  async capture(o: { serverId: string; name?: string; attributes: 'all' | 'used'; signal?: AbortSignal; onProgress?: (p: Omit<SnapshotProgress, 'jobId'>) => void }): Promise<SnapshotView> {
    const { draft, name: serverName } = this.serverDraft(o.serverId);
    if (draft.offline) throw new AppError('INVALID_INPUT', `"${serverName}" is offline: it has no directory to capture. Capture from a server with a connection.`);
    const target = targetFromDraft(draft);
    const source = await this.liveSource(o.serverId, draft);
    const scripts = normalizeScripts(draft.scripts);
    const used = attributesToFetch(target.usernameAttribute, draft.mapping, scripts);
    // Scripts that use the groups helpers need the groups below the base: the capture stores them too.
    const captured = usesGroups(scripts) ? new Set<string>() : null;
    const attributes = captureAttributes(o.attributes, used, filterAttributes(target.searchFilter));
    const at = this.now();
    const name = o.name?.trim() || `${serverName} ${at.toISOString().slice(0, 16).replace('T', ' ')}`;
    let snap;
    try {
      snap = insertSnapshot(this.db, { name, origin: 'capture', serverId: o.serverId, serverName, baseDn: target.baseDn, filter: target.searchFilter, attributes: o.attributes, status: 'capturing' }, at);
    } catch (err) {
      void source.close();
      throw err;
    }
    const id = snap.id;
    let seq = 0;
    let pages = 0;
    const store = async (entries: DirectoryEntry[]) => {
      // In slices, one short transaction each, so that the window stays responsive.
      await inSlices(entries, (rows) => {
        this.db.transaction(() => appendSnapshotEntries(this.db, id, seq, rows))();
        seq += rows.length;
      });
      pages++;
      o.onProgress?.({ entries: seq, pages, expected: null });
    };
    try {
      await source.readAll({
        attributes,
        signal: o.signal,
        onPage: async (entries) => {
          if (captured) for (const e of entries) captured.add(dnKey(e.dn) ?? e.dn);
          await store(entries);
        },
      });
      if (captured) {
        const password = await this.deps.servers.passwordForDraft({ serverId: o.serverId, draft, password: { kind: 'keep' } });
        await readGroupEntries({
          target,
          password,
          signal: o.signal,
          attributes: GROUP_ENTRY_ATTRIBUTES,
          // A group the search filter matched is stored once.
          onPage: (groups) => store(groups.filter((g) => !captured.has(dnKey(g.dn) ?? g.dn))),
        });
      }
      markSnapshotReady(this.db, id, this.now().toISOString());
    } catch (err) {
      deleteSnapshot(this.db, id);
      throw err;
    } finally {
      void source.close();
    }
    return this.get(id);
  }

  /**
   * Imports an LDIF file (RFC 2849 content records) as a snapshot, reading it once (a regular file,
   * a pipe, `/dev/stdin`, `<(...)`): see ldif-import.ts. A line that is wrong or too large, a file
   * that changed while read, or Cancel leaves no snapshot. Memory stays bounded to one batch.
   */
  async importLdifFile(o: { path: string; name: string; fileName?: string; signal?: AbortSignal; onProgress?: (p: Omit<SnapshotProgress, 'jobId'>) => void }): Promise<SnapshotView> {
    const shown = o.fileName ?? (o.path === '-' ? 'stdin' : o.path);
    const input = await openLdifFile(o.path, shown);
    // A pipe's name (/dev/fd/63) says little without its folder.
    const fileName = o.fileName ?? (input.size === null ? shown : basename(o.path));
    const id = await importLdif(this.db, { name: o.name, fileName, input, signal: o.signal, onProgress: progressOf(o.onProgress), now: () => this.now() });
    return this.get(id);
  }

  /** Imports LDIF text already in main (the bundled sample directory; tests). Not reachable from the window. */
  async importLdifText(o: { text: string; fileName: string; name: string; origin?: 'ldif' | 'sample' }): Promise<SnapshotView> {
    const id = await importLdif(this.db, { name: o.name, fileName: o.fileName, origin: o.origin, input: textInput(o.text), now: () => this.now() });
    return this.get(id);
  }

  /** The snapshot as LDIF text, chunk by chunk (export then import gives the same entries). */
  *exportLdif(idOrName: string): IterableIterator<string> {
    const s = mustFindSnapshot(this.db, idOrName);
    // One comment line: a newline or escape sequence in a name must not add lines or reach a terminal.
    const header = `# ${visibleControls(`Snapshot "${s.name}"${s.serverName ? ` of ${s.serverName}` : ''}, ${s.origin === 'ldif' ? `imported from ${s.fileName}` : `captured ${s.capturedAt}`}: ${s.entries} entries.`, { oneLine: true })}\n`;
    yield header.replace(/\n(?!$)/g, '\n# ');
    yield* ldifChunks(snapshotEntries(this.db, s.id));
  }

  /** Compares a snapshot with the live directory of a server (its own server by default): entries added, removed, changed and renamed since, matched by directory ID. */
  async compare(o: { snapshot: string; serverId?: string; signal?: AbortSignal; onProgress?: (p: Omit<SnapshotProgress, 'jobId'>) => void }): Promise<SnapshotComparison> {
    const s = mustFindSnapshot(this.db, o.snapshot);
    const serverId = o.serverId ?? s.serverId;
    if (!serverId) throw new AppError('INVALID_INPUT', `"${s.name}" was not captured from a server: choose the server to compare it with.`);
    const { draft, name: serverName } = this.serverDraft(serverId);
    if (draft.offline) throw new AppError('INVALID_INPUT', `"${serverName}" is offline: it has no live directory to compare with.`);
    const comparer = new SnapshotComparer();
    // A capture stores the groups its scripts' groups helpers need besides what the filter matched: not compared.
    let matches: ((e: DirectoryEntry) => boolean) | null = null;
    try {
      if (s.origin === 'capture' && s.filter) matches = compiledFilter(matchAllFilter(s.filter));
    } catch {
      // A filter the local evaluator cannot run: every stored entry is compared, groups included.
    }
    const capturedGroup = matches ? (e: DirectoryEntry) => isGroupEntry(e) && !matches(e) : null;
    const names = new Set<string>();
    // In chunks, with a turn of the event loop after each: 100k entries take seconds to digest.
    for (let after = -1; ; ) {
      const chunk = snapshotEntriesAfter(this.db, s.id, after, SLICE);
      if (chunk.length === 0) break;
      after = chunk[chunk.length - 1].seq;
      for (const e of chunk) {
        if (capturedGroup?.(e)) continue;
        comparer.addBefore(e);
        for (const n of Object.keys(e.attributes)) names.add(n);
      }
      await new Promise((r) => setImmediate(r));
      if (o.signal?.aborted) throw new AppError('CANCELLED', 'Cancelled by the admin.');
    }
    const source = await this.liveSource(serverId, draft);
    // What a capture of this server asks for now (the directory IDs, by which entries are matched,
    // and the operational attributes the server uses, such as nsAccountLock: a lock since is seen),
    // and every attribute the snapshot holds.
    const target = targetFromDraft(draft);
    const used = attributesToFetch(target.usernameAttribute, draft.mapping, normalizeScripts(draft.scripts));
    const attributes = [...new Set([...captureAttributes(s.attributes, used, filterAttributes(target.searchFilter)), ...names])];
    let count = 0;
    let pages = 0;
    await source.readAll({
      attributes,
      signal: o.signal,
      onPage: async (page) => {
        // In slices: digesting 1000 entries at once would block the window for too long.
        await inSlices(page, (entries) => {
          for (const e of entries) comparer.addLive(e);
          count += entries.length;
        });
        pages++;
        o.onProgress?.({ entries: count, pages, expected: s.entries });
      },
    }).finally(() => void source.close());
    return comparer.result();
  }
}

/** Every attribute a search filter tests (e.g. objectClass and uid for (&(objectClass=inetOrgPerson)(uid=?))). */
/**
 * The attributes a capture asks for: every user attribute ('*', for 'all') or none, and always by
 * name the ones the username, the mapping, the search filter and the scripts use ("only the used"
 * keeps the filter's, or the filter would match nothing offline). Named, because '*' gives user
 * attributes only: an operational one a script reads (389-ds's nsAccountLock) would be missing and a
 * simulation from the capture would differ from the live one. Scripts whose attributes cannot be
 * known statically get every operational attribute ('+'), as a sync asks. The directory IDs always.
 */
export function captureAttributes(mode: 'all' | 'used', used: string[] | '*', filterNames: readonly string[]): string[] {
  if (used === '*') return ['*', '+', ...DIRECTORY_ID_ATTRIBUTES];
  const named = [...new Set([...used, ...filterNames, ...DIRECTORY_ID_ATTRIBUTES])];
  return mode === 'all' ? ['*', ...named] : named;
}

export function filterAttributes(filterText: string): string[] {
  const parsed = parseFilter(matchAllFilter(filterText));
  if (!parsed.ok) return [];
  const out = new Set<string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.filters.forEach(walk);
    else if (n.kind === 'not') walk(n.filter);
    else if (n.attribute) out.add(n.attribute.split(';')[0]);
  };
  walk(parsed.filter);
  return [...out];
}

/** An import's progress as snapshot progress: entries and batches, and the bytes read. */
function progressOf(on?: (p: Omit<SnapshotProgress, 'jobId'>) => void): ((p: LdifImportProgress) => void) | undefined {
  return on && ((p) => on({ entries: p.entries, pages: p.pages, expected: null, bytes: { read: p.bytesRead, total: p.bytesTotal } }));
}
