import { statSync } from 'node:fs';
import type { SnapshotProgress } from '../../../src-shared/domain/snapshot';
import { AppError } from '../../../src-shared/errors';
import type { CommandContext, CommandSpec } from '../command';
import type { SnapshotProgressUpdate } from '../format-snapshot';
import { UsageError } from '../io';
import { TEXT_DIFFERENCE_LIMIT } from '../text-limits';
import { CANCELLED_EXIT } from './server-test';

const PROGRESS_OPTION = { type: 'boolean', help: 'Show progress on stderr even when it is not a terminal' } as const;

const SNAPSHOT_JSON = `
  { "id", "name", "origin" ("capture", "ldif" or "sample"), "serverId", "serverName", "baseDn",
    "filter", "attributes" ("all" or "used"), "fileName", "capturedAt", "entries", "usedBy" }`;

/** Progress on stderr when it is a terminal or with --progress; null otherwise. */
async function progressOf(ctx: CommandContext, phase: SnapshotProgressUpdate['phase']) {
  const tty = ctx.io.stderrIsTTY === true;
  if (ctx.flags.progress !== true && !tty) return null;
  const { LinePrinter } = await import('../format-sync');
  const { snapshotProgressLine } = await import('../format-snapshot');
  const printer = new LinePrinter<SnapshotProgressUpdate>(ctx.io, tty, snapshotProgressLine);
  const started = Date.now();
  let last: Omit<SnapshotProgress, 'jobId'> = { entries: 0, pages: 0, expected: null };
  // A capture or a comparison says so before the directory answers (the first page may take a while).
  if (phase !== 'importing') printer.update({ phase: 'connecting', ...last, elapsedMs: 0 });
  return {
    update(p: Omit<SnapshotProgress, 'jobId'>) {
      last = p;
      printer.update({ phase, ...p, elapsedMs: Date.now() - started });
    },
    /** The final figures (after success), then the terminal line is cleared. */
    done() {
      printer.update({ phase: 'done', ...last, elapsedMs: Date.now() - started });
      printer.end();
    },
    end: () => printer.end(),
  };
}

/** Runs a long snapshot job: Ctrl+C (the job's CANCELLED error) is reported and becomes exit 130. */
export async function cancellable<T>(ctx: CommandContext, what: string, job: () => Promise<T>): Promise<{ value: T } | { code: number }> {
  try {
    return { value: await job() };
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'CANCELLED')) throw err;
    const message = `Cancelled: ${what}`;
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ error: { code: 'CANCELLED', message } }, null, 2)}\n`);
    else ctx.io.stderr(`${message}\n`);
    return { code: CANCELLED_EXIT };
  }
}

function nameFlag(ctx: CommandContext, topic: string[]): string | undefined {
  const name = ctx.flags.name;
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || name.trim() === '') throw new UsageError('--name needs a name for the snapshot', topic);
  if (name.trim().length > 200) throw new UsageError('--name: keep the name to 200 characters or fewer', topic);
  return name.trim();
}

/** `ldap-sync snapshot capture SERVER`: saves what the server's search returns now. */
export const snapshotCapture: CommandSpec = {
  group: 'snapshot',
  name: 'capture',
  args: ['SERVER'],
  summary: 'Save what the search of a server returns now, as a snapshot',
  description: `Reads every entry the search of the saved server SERVER returns (its search base and
filter, paged, with its stored password) and saves them as a snapshot. Previews and simulations
can then run over it with --source, without the directory: "ldap-sync simulate SERVER --source NAME".

--attributes all (the default) keeps every user attribute; --attributes used keeps only the
attributes the mapping, the username and the scripts read (smaller; enough for this server's
scripts as they are now). Both always ask by name for the attributes the username, the mapping, the
filter and the scripts use, operational ones included (389-ds's nsAccountLock, which "every
attribute" leaves out), so a simulation over the snapshot sees what a live one sees. The name defaults to the server's name and the time of the capture.
Progress goes to stderr when it is a terminal, or with --progress. Ctrl+C cancels: no snapshot is
left behind (exit 130).

With --json, prints the snapshot:${SNAPSHOT_JSON}`,
  options: {
    name: { type: 'string', valueName: 'NAME', help: 'The snapshot\'s name (default: the server\'s name and the time)' },
    attributes: { type: 'string', valueName: 'all|used', help: 'Keep every user attribute (all, the default) or only those the server reads (used)' },
    progress: PROGRESS_OPTION,
  },
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const { snapshotLine } = await import('../format-snapshot');
    const name = nameFlag(ctx, ['snapshot', 'capture']);
    const attributes = ctx.flags.attributes ?? 'all';
    if (attributes !== 'all' && attributes !== 'used') throw new UsageError(`--attributes must be "all" or "used", not "${String(attributes)}"`, ['snapshot', 'capture']);
    const app = ctx.app();
    const server = app.servers.byName(ctx.args[0]);
    const progress = await progressOf(ctx, 'capturing');
    const outcome = await cancellable(ctx, 'the capture stopped; no snapshot was saved.', async () => {
      try {
        const s = await app.snapshots.capture({ serverId: server.id, name, attributes, signal: ctx.io.signal, onProgress: progress ? (p) => progress.update(p) : undefined });
        progress?.done();
        return s;
      } finally {
        progress?.end();
      }
    });
    if ('code' in outcome) return outcome.code;
    const s = outcome.value;
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(s, null, 2)}\n`);
    else ctx.io.stdout(`Captured the snapshot ${snapshotLine(s)}.\nUse it: ldap-sync simulate ${shellWord(server.name)} --source ${shellWord(s.name)}\n`);
    return 0;
  },
};

/** `ldap-sync snapshot import FILE --name NAME`: an LDIF file as a snapshot. */
export const snapshotImport: CommandSpec = {
  group: 'snapshot',
  name: 'import',
  args: ['FILE'],
  summary: 'Import an LDIF file as a snapshot',
  description: `Imports the LDIF file FILE (RFC 2849 content records, as "ldapsearch -LLL" or "ldap-sync
snapshot export" write them) as the snapshot NAME. FILE may be a pipe: - (or /dev/stdin), <(...).
It is read once, as a stream, so it may be large. A line that is wrong (a change record, bad
base64, a DN that is not RFC 4514, text that is not UTF-8...) or too large (a value over 16 MiB,
a DN over 65,536 characters, an entry over 64 MiB) is reported with the file name and line
number, and nothing is imported (exit 1); so is a file that changed while it was read. Ctrl+C
cancels: nothing is imported (exit 130).

With --json, prints the snapshot:${SNAPSHOT_JSON}`,
  options: {
    name: { type: 'string', valueName: 'NAME', help: 'The snapshot\'s name (required; unique, ignoring case)' },
    progress: PROGRESS_OPTION,
  },
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const { snapshotLine } = await import('../format-snapshot');
    const name = nameFlag(ctx, ['snapshot', 'import']);
    if (name === undefined) throw new UsageError('give the snapshot a name: --name NAME', ['snapshot', 'import']);
    const file = ctx.args[0];
    let isFolder = false;
    try {
      isFolder = statSync(file).isDirectory();
    } catch {
      // A missing file is reported by the import, with its name.
    }
    if (isFolder) throw new AppError('INVALID_INPUT', `${file} is a folder: give the path of an LDIF file.`);
    const app = ctx.app();
    const progress = await progressOf(ctx, 'importing');
    const outcome = await cancellable(ctx, 'the import stopped; no snapshot was saved.', async () => {
      try {
        const imported = await app.snapshots.importLdifFile({ path: file, name, signal: ctx.io.signal, onProgress: progress ? (p) => progress.update(p) : undefined });
        progress?.done();
        return imported;
      } catch (err) {
        // The message already names the file and the line; the text output need not repeat it as a field.
        if (err instanceof AppError && !ctx.json && err.fields) throw new AppError(err.code, err.message);
        throw err;
      } finally {
        progress?.end();
      }
    });
    if ('code' in outcome) return outcome.code;
    const s = outcome.value;
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(s, null, 2)}\n`);
    else ctx.io.stdout(`Imported ${file} as the snapshot ${snapshotLine(s)}.\nUse it: ldap-sync simulate SERVER --source ${shellWord(s.name)}\n`);
    return 0;
  },
};

/** `ldap-sync snapshot list`: the saved snapshots. */
export const snapshotList: CommandSpec = {
  group: 'snapshot',
  name: 'list',
  args: [],
  summary: 'List the snapshots',
  description: `Lists the snapshots, by name: where each came from (a capture of a server, with every
attribute or only the used ones; an LDIF file; the bundled sample), its number of entries, the
server, search base and filter of a capture, when it was captured or imported, and the servers
that use it (offline servers read only their snapshot).

With --json, prints an array of:${SNAPSHOT_JSON}`,
  options: {},
  async run(ctx) {
    const { snapshotsTable } = await import('../format-snapshot');
    const list = ctx.app().snapshots.list();
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(list, null, 2)}\n`);
      return 0;
    }
    if (list.length === 0) {
      ctx.io.stdout('No snapshots yet. Capture one with: ldap-sync snapshot capture SERVER\nor import an LDIF file with: ldap-sync snapshot import FILE --name NAME\n');
      return 0;
    }
    ctx.io.stdout(snapshotsTable(list));
    return 0;
  },
};

/** `ldap-sync snapshot delete NAME`. */
export const snapshotDelete: CommandSpec = {
  group: 'snapshot',
  name: 'delete',
  args: ['NAME'],
  summary: 'Delete a snapshot',
  description: `Deletes the snapshot NAME and its entries. Refused while it is the only source of an
offline server (attach another snapshot to that server first, or delete the server). A server that
is not offline and had it attached simply no longer has one. Runs in the history that read it keep
its name. With --json, prints { "deleted", "detachedFrom" }.`,
  options: {},
  async run(ctx) {
    const { snapshotLine } = await import('../format-snapshot');
    const snapshots = ctx.app().snapshots;
    const s = snapshots.get(ctx.args[0]);
    snapshots.delete(s.id);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ deleted: s.name, detachedFrom: s.usedBy }, null, 2)}\n`);
      return 0;
    }
    ctx.io.stdout(`Deleted the snapshot ${snapshotLine(s)}.\n`);
    if (s.usedBy.length) ctx.io.stdout(`It is no longer attached to ${s.usedBy.map((n) => `"${n}"`).join(', ')}.\n`);
    return 0;
  },
};

/** `ldap-sync snapshot compare NAME`: what changed in the directory since the snapshot. */
export const snapshotCompare: CommandSpec = {
  group: 'snapshot',
  name: 'compare',
  args: ['NAME'],
  summary: 'Compare a snapshot with the live directory',
  description: `Reads the search of a server now and compares it with the snapshot NAME, entry by entry.
Entries are matched by directory ID (entryUUID, objectGUID, nsUniqueId or ipaUniqueID), by DN
(ignoring case) where an entry has none: entries added and removed since, entries whose attributes
changed (with the names of those attributes), entries renamed or moved (their old and new DN) and
entries unchanged. A deleted and re-created entry (a new ID under the old DN) is removed and
added. The server is the one the snapshot was
captured from, or --server NAME (required for an imported snapshot). A snapshot of the used
attributes only is compared on those attributes. Nothing is changed anywhere; the exit status is
0 whatever the differences (1 when the directory cannot be read, 130 on Ctrl+C).

Prints the counts and the first ${TEXT_DIFFERENCE_LIMIT} differences, then the changed values (snapshot -> live)
of each. With --json, prints { "snapshot", "server", "added", "removed", "changed", "renamed",
"unchanged", "matchedBy" (the ID attribute, or null: by DN), "differences": [ { "dn", "kind" (added,
removed, changed, renamed), "attributes", "fromDn" (renamed: the DN in the snapshot), "values"
(changed and renamed: [ { "attribute", "before", "after", "more" } ], the values removed and added,
at most 5 a side of 200 characters each) } ] } (at most 1000 differences).`,
  options: {
    server: { type: 'string', valueName: 'NAME', help: 'Compare with this server\'s directory (default: the server it was captured from)' },
    progress: PROGRESS_OPTION,
  },
  async run(ctx) {
    const { shellWord } = await import('../format-sync');
    const { formatComparison } = await import('../format-snapshot');
    const app = ctx.app();
    const s = app.snapshots.get(ctx.args[0]);
    const serverFlag = ctx.flags.server;
    if (serverFlag !== undefined && (typeof serverFlag !== 'string' || serverFlag.trim() === '')) throw new UsageError('--server needs a server name', ['snapshot', 'compare']);
    let server;
    if (typeof serverFlag === 'string') server = app.servers.byName(serverFlag);
    else if (s.serverId === null || !app.servers.list().some((v) => v.id === s.serverId)) {
      const why = s.origin === 'capture' ? `the server it was captured from${s.serverName ? `, "${s.serverName}",` : ''} no longer exists` : `it was ${s.origin === 'ldif' ? 'imported from a file' : 'bundled with the app'}, not captured from a server`;
      throw new AppError('INVALID_INPUT', `Name the server to compare "${s.name}" with (${why}): ldap-sync snapshot compare ${shellWord(s.name)} --server NAME`);
    } else server = app.servers.get(s.serverId);
    const progress = await progressOf(ctx, 'comparing');
    const outcome = await cancellable(ctx, 'the comparison stopped.', async () => {
      try {
        const c = await app.snapshots.compare({ snapshot: s.id, serverId: server.id, signal: ctx.io.signal, onProgress: progress ? (p) => progress.update(p) : undefined });
        progress?.done();
        return c;
      } finally {
        progress?.end();
      }
    });
    if ('code' in outcome) return outcome.code;
    const c = outcome.value;
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ snapshot: s.name, server: server.name, ...c }, null, 2)}\n`);
    else ctx.io.stdout(formatComparison(s, server.name, c));
    return 0;
  },
};
