/** `ldap-sync snapshot export NAME`: a snapshot as LDIF, streamed to stdout or written to a file. */
import { lstatSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AppError } from '../../../src-shared/errors';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';
import { cancellable } from './snapshot';

const closedOutput = () => Object.assign(new Error('the output was closed'), { code: 'EPIPE' });
const isDestroyed = (stream: NodeJS.WritableStream) => (stream as Partial<Writable>).destroyed === true;

/** Resolves when `stream` drains; rejects when it fails or closes first, or on Ctrl+C. */
function drained(stream: NodeJS.WritableStream, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    if (isDestroyed(stream)) return reject(closedOutput());
    const done = (err?: Error) => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolvePromise();
    };
    const onDrain = () => done();
    const onError = (err: Error) => done(err);
    const onClose = () => done(closedOutput());
    const onAbort = () => done(new AppError('CANCELLED', 'the export stopped.'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Writes chunk by chunk, waiting whenever the stream's buffer is full (memory stays bounded). */
async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>, signal?: AbortSignal): Promise<void> {
  for (const chunk of chunks) {
    if (signal?.aborted) throw new AppError('CANCELLED', 'the export stopped.');
    // A reader that went away destroys the stream (its error may already have been handled).
    if (isDestroyed(stream)) throw closedOutput();
    if (!stream.write(chunk)) await drained(stream, signal);
  }
}

/** `ldap-sync snapshot export NAME`: the snapshot as LDIF. */
export const snapshotExport: CommandSpec = {
  group: 'snapshot',
  name: 'export',
  args: ['NAME'],
  summary: 'Print a snapshot as LDIF (or write it to a file)',
  description: `Writes the snapshot NAME as LDIF (RFC 2849 content records): to stdout, or to FILE with
--output (written to a temporary file first and renamed when complete, so FILE is never left
half-written; readable by its owner only, mode 0600; FILE must be a regular file or a new name, never
a symbolic link, device or pipe). The entries are streamed, so memory stays flat for any size. Importing the output
("ldap-sync snapshot import FILE --name NAME") gives the same entries: binary values are written
as base64.

With --output and --json, prints { "snapshot", "file", "entries" }.`,
  options: {
    output: { type: 'string', valueName: 'FILE', help: 'Write the LDIF to FILE instead of stdout' },
  },
  async run(ctx) {
    const { snapshotLine } = await import('../format-snapshot');
    const output = ctx.flags.output;
    if (output !== undefined && (typeof output !== 'string' || output.trim() === '')) throw new UsageError('--output needs a file name', ['snapshot', 'export']);
    if (ctx.json && output === undefined) throw new UsageError('--json needs --output FILE: without it, stdout carries the LDIF itself', ['snapshot', 'export']);
    const app = ctx.app();
    const s = app.snapshots.get(ctx.args[0]);
    const chunks = app.snapshots.exportLdif(s.id);
    const signal = ctx.io.signal;
    const what = 'the export stopped.';
    if (output === undefined) {
      const stream = ctx.io.stdoutStream;
      const outcome = await cancellable(ctx, what, async () => {
        if (!stream) {
          for (const chunk of chunks) ctx.io.stdout(chunk);
          return;
        }
        try {
          await writeChunks(stream, chunks, signal);
        } catch (err) {
          // The reader went away (`ldap-sync snapshot export X | head`): stop quietly.
          if ((err as NodeJS.ErrnoException).code !== 'EPIPE') throw err;
        }
      });
      return 'code' in outcome ? outcome.code : 0;
    }
    const file = resolve(output);
    const kind = existingKind(file);
    // The file is replaced by renaming a finished temporary file over it: that would turn a symbolic
    // link, a device or a pipe into a regular file, so only a regular file (or a new name) is taken.
    if (kind === 'folder') throw new AppError('INVALID_INPUT', `${output} is a folder: give the name of the LDIF file to write.`);
    if (kind !== null && kind !== 'file') {
      throw new AppError('INVALID_INPUT', `${output} is ${kind}, not a regular file, so it was left alone: give the name of a regular file to write, or leave out --output and redirect stdout.`);
    }
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
    const cannotWrite = (err: unknown) => {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
      return new AppError('INVALID_INPUT', `Cannot write ${output} (${why}); nothing was written.`);
    };
    let handle;
    try {
      // Owner-only, like the store: directory data is personal data.
      handle = await open(partial, 'wx', 0o600);
    } catch (err) {
      throw cannotWrite(err);
    }
    const stream = handle.createWriteStream();
    // A write error (a full disk) is raised by `finished` below; without a listener it would end the process.
    stream.on('error', () => {});
    const outcome = await cancellable(ctx, `${what} ${output} was not written.`, async () => {
      try {
        await writeChunks(stream, chunks, signal);
        stream.end();
        await finished(stream);
      } catch (err) {
        stream.destroy();
        await rm(partial, { force: true });
        throw err instanceof AppError ? err : cannotWrite(err);
      }
      try {
        await rename(partial, file);
      } catch (err) {
        await rm(partial, { force: true });
        throw cannotWrite(err);
      }
    });
    if ('code' in outcome) return outcome.code;
    if (ctx.json) ctx.io.stdout(`${JSON.stringify({ snapshot: s.name, file, entries: s.entries }, null, 2)}\n`);
    else ctx.io.stdout(`Wrote the snapshot ${snapshotLine(s)} to ${output}.\n`);
    return 0;
  },
};

/** What is at `file` now: null (nothing), 'file', 'folder', or a phrase naming another kind. Symbolic links are not followed. */
function existingKind(file: string): string | null {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return null;
  }
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

