import { AppError } from '../../../src-shared/errors';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';

/** Largest users CSV read (a bigger list is for a sync). */
const MAX_CSV_BYTES = 20 * 1024 * 1024;

/** `ldap-sync users import FILE.csv`: users from a CSV file, all or nothing. */
export const usersImport: CommandSpec = {
  group: 'users',
  name: 'import',
  args: ['FILE'],
  summary: 'Add users from a CSV file (all or nothing; --dry-run checks only)',
  description: `Adds the users of a CSV file (RFC 4180, UTF-8). The first row names the columns, in any
order: username and org (required), email, firstName, lastName, roles (several separated by ";").
Every row is checked first; any problem (row, column, reason) means nothing is added. With
--dry-run, only checks. The organization decides the sign-in: rows for an organization that signs
in with LDAP are refused (its users come from the directory: its sync, or a registration with its
key). Passwords are never read from a file: set each with ldap-sync users passwd.
With --json, prints { "dryRun", "rows", "added", "usernames", "problems": [ { "row", "column", "reason" } ] }.
Exit status 1 when the file has problems.

  username,org,email,firstName,lastName,roles
  jdoe,Guests,jdoe@example.com,Jane,Doe,Desktop User`,
  options: { 'dry-run': { type: 'boolean', help: 'Check the file only; add nothing' } },
  async run(ctx) {
    const { readFile, stat } = await import('node:fs/promises');
    const file = ctx.args[0];
    let text: string;
    try {
      if ((await stat(file)).size > MAX_CSV_BYTES) throw new AppError('INVALID_INPUT', `${file} is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB: split it, or let a sync create the users.`);
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (err instanceof AppError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      throw new AppError('INVALID_INPUT', `Cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message}).`);
    }
    const report = ctx.app().localUsers.importCsv(text, ctx.flags['dry-run'] === true);
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
      return report.problems.length ? 1 : 0;
    }
    if (report.problems.length) {
      const shown = report.problems.slice(0, 100);
      ctx.io.stdout(`${file}: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}; nothing was added.\n${shown.map((p) => `  row ${p.row}${p.column ? `, ${p.column}` : ''}: ${p.reason}\n`).join('')}${report.problems.length > shown.length ? `  ... and ${report.problems.length - shown.length} more (--json lists all)\n` : ''}`);
      return 1;
    }
    const n = report.usernames.length;
    ctx.io.stdout(report.dryRun ? `${file}: ${n} user${n === 1 ? '' : 's'} would be added; no problems. Run again without --dry-run to add them.\n` : `Added ${report.added} user${report.added === 1 ? '' : 's'} from ${file}.\n`);
    return 0;
  },
};

/** `ldap-sync users export [--output FILE]`: every user as CSV. */
export const usersExport: CommandSpec = {
  group: 'users',
  name: 'export',
  args: [],
  summary: 'Export every user as CSV',
  description: `Writes every user as CSV (header row, CRLF line ends): username, org, email, firstName,
lastName, roles (the columns "users import" reads), then active, deactivatedBy, deactivatedReason,
source (the LDAP server, or "local"), dn, directoryId, devices, lastSeenAt. A cell that a
spreadsheet would run as a formula starts with an apostrophe. To stdout, or to --output FILE
(written next to it first and renamed when complete; readable by you only).`,
  options: { output: { type: 'string', valueName: 'FILE', help: 'Write the CSV to FILE instead of stdout' } },
  async run(ctx) {
    const output = ctx.flags.output;
    if (output !== undefined && (typeof output !== 'string' || output.trim() === '')) throw new UsageError('--output needs a file name', ['users', 'export']);
    const { text, users: rows } = ctx.app().localUsers.exportCsv();
    if (output === undefined) {
      ctx.io.stdout(text);
      return 0;
    }
    const { lstat, rename, rm, writeFile } = await import('node:fs/promises');
    const { basename, dirname, join, resolve } = await import('node:path');
    const file = resolve(output);
    const existing = await lstat(file).catch(() => null);
    if (existing && !existing.isFile()) throw new AppError('INVALID_INPUT', `${output} is not a regular file, so it was left alone: give the name of a regular file to write.`);
    const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
    try {
      await writeFile(partial, text, { flag: 'wx', mode: 0o600 });
      await rename(partial, file);
    } catch (err) {
      await rm(partial, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      throw new AppError(code === 'ENOSPC' ? 'DISK_FULL' : 'INVALID_INPUT', `Cannot write ${output} (${code === 'ENOENT' ? 'its folder does not exist' : code === 'EACCES' ? 'permission denied' : code === 'ENOSPC' ? 'the disk is full' : (err as Error).message}); nothing was written.`);
    }
    ctx.io.stdout(ctx.json ? `${JSON.stringify({ file, users: rows }, null, 2)}\n` : `Wrote ${rows} user${rows === 1 ? '' : 's'} to ${output}.\n`);
    return 0;
  },
};
