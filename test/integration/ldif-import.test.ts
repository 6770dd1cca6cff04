/**
 * LDIF import attacked as the audit did (issue 12.5): pipes and process substitution (which used
 * to import 0 entries and report success), a file that changes while it is read, a DN of 200k
 * characters, values of 100 MB; and the window's import through the real IPC router, which now
 * names a file chosen in main's dialog by a token instead of sending its text. python3-ldap's
 * `ldif` module is the reference parser for what is read. Each refusal leaves the store as it was.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter } from '../../src-main/ipc/router';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { openStore } from '../../src-main/store/db';
import { snapshotEntries } from '../../src-main/store/snapshots-repo';
import { AppError } from '../../src-shared/errors';
import type { SnapshotProgress } from '../../src-shared/domain/snapshot';
import { BIN, assertCliBuilt, spawnCli } from './cli-runner';

const MiB = 1024 * 1024;
const ORIGIN = 'app://renderer';
const FROM_WINDOW = `${ORIGIN}/index.html`;
const JOB = '00000000-0000-4000-8000-00000000a001';

let dir: string;
let dbPath: string;
let app: AppContext;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lss-ldif-import-'));
  dbPath = join(dir, 'store.sqlite');
  app = createAppContext({ dbPath, keychain: new SecretToolKeychain({ PATH: process.env.PATH }) });
});
afterEach(async () => {
  app.close();
  await rm(dir, { recursive: true, force: true });
});

/** `n` people as LDIF, ~200 bytes each, with a folded line and a base64 value each. */
function people(n: number, from = 1): string {
  let out = 'version: 1\n';
  for (let i = from; i < from + n; i++) {
    out += `\ndn: uid=user${i},ou=people,dc=example,dc=com\nobjectClass: inetOrgPerson\nuid: user${i}\ncn: User ${i}\nsn: Number ${i}\n`;
    out += `description: a description long enough to be folded by the export, as ldapsea\n rch folds it at 76 characters (${i})\n`;
    out += `givenName:: ${Buffer.from(`Zoë ${i}`).toString('base64')}\n`;
  }
  return out;
}

/** Writes `parts()` to `path` as a stream (files of 100 MB without 100 MB strings). */
async function writeInParts(path: string, parts: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const part of parts) if (!out.write(part)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** What the store holds, read on a connection of its own: snapshots (any status) and their entries. */
function storeCounts(): { snapshots: number; entries: number } {
  const store = openStore(dbPath);
  try {
    const snapshots = (store.db.prepare('SELECT count(*) AS n FROM snapshots').get() as { n: number }).n;
    const entries = (store.db.prepare('SELECT count(*) AS n FROM snapshot_entries').get() as { n: number }).n;
    return { snapshots, entries };
  } finally {
    store.db.close();
  }
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the import to be refused');
}

describe('ldap-sync snapshot import from a stream (the built CLI)', () => {
  const env = () => ({ ...process.env, LDAP_SYNC_DB: dbPath });

  it('imports every entry from a pipe (/dev/stdin), where it used to import 0 and succeed', async () => {
    assertCliBuilt();
    app.close();
    const child = spawnCli(['snapshot', 'import', '/dev/stdin', '--name', 'Piped', '--json'], { cwd: dir, env: env() });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stdin.on('error', () => {}); // a CLI that fails early closes its end
    // 3,000 entries (~700 KB): many pipe buffers, written while the CLI reads.
    child.stdin.end(people(3000));
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: 'Piped', origin: 'ldif', fileName: '/dev/stdin', entries: 3000 });
    app = createAppContext({ dbPath, keychain: new SecretToolKeychain({ PATH: process.env.PATH }) });
    const stored = [...app.snapshots.exportLdif('Piped')].join('');
    expect(stored).toContain('dn: uid=user3000,ou=people,dc=example,dc=com\n');
  }, 60_000);

  it('imports every entry through process substitution <(...)', async () => {
    assertCliBuilt();
    app.close();
    await writeFile(join(dir, 'people.ldif'), people(2500));
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', `"${process.execPath}" "${BIN}" snapshot import <(cat people.ldif) --name Substituted --json`], { cwd: dir, env: env() }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      ),
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Substituted', fileName: expect.stringMatching(/^\/dev\/fd\/\d+$/), entries: 2500 });
  }, 60_000);

  it('imports every entry from a shell pipe into "-"', async () => {
    assertCliBuilt();
    app.close();
    await writeFile(join(dir, 'people.ldif'), people(1500));
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile('bash', ['-c', `cat people.ldif | "${process.execPath}" "${BIN}" snapshot import - --name Dash --json`], { cwd: dir, env: env() }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      ),
    );
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Dash', fileName: 'stdin', entries: 1500 });
  }, 60_000);

  it('stops on Ctrl+C while the pipe is still open, exits 130 and keeps nothing', async () => {
    assertCliBuilt();
    app.close();
    const child = spawnCli(['snapshot', 'import', '/dev/stdin', '--name', 'Interrupted', '--progress'], { cwd: dir, env: env() });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    // Half a file, and the writer never closes the pipe: the import waits for more.
    child.stdin.write(people(2000));
    while (!/2,000 entries|[1-9][\d,]* entries/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(130);
    expect(stderr).toContain('Cancelled: the import stopped; no snapshot was saved.');
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  }, 60_000);

  it('refuses a pipe whose last record is wrong, and stores nothing of the records before it', async () => {
    assertCliBuilt();
    app.close();
    const child = spawnCli(['snapshot', 'import', '/dev/stdin', '--name', 'Broken'], { cwd: dir, env: env() });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {}); // a CLI that fails early closes its end
    child.stdin.end(`${people(2000)}\ndn: uid=last,dc=example,dc=com\nchangetype: delete\n`);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr).toBe(
      'error: /dev/stdin, line 18004: change records are not supported: export content records (e.g. ldapsearch -LLL). Nothing was imported.\n',
    );
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  }, 60_000);
});

describe('a file that changes while it is read', () => {
  it('is refused, and nothing is stored', async () => {
    const file = join(dir, 'growing.ldif');
    await writeFile(file, people(5000));
    let appended = false;
    const e = await refusal(
      app.snapshots.importLdifFile({
        path: file,
        name: 'Growing',
        onProgress: () => {
          // Another program appends while the import is half-way.
          if (!appended) void appendFile(file, people(10, 9000));
          appended = true;
        },
      }),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/growing\.ldif changed while it was read \(\d[\d,]* bytes when opened, [\d,]+ read, [\d,]+ now\)\. Nothing was imported\./);
    expect(app.snapshots.list()).toEqual([]);
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  });
});

describe('hostile sizes', () => {
  it('a DN of 200,000 characters after 1,000 good entries is refused with its line and the limit', async () => {
    const file = join(dir, 'long-dn.ldif');
    await writeFile(file, `${people(1000)}\ndn: cn=${'x'.repeat(200_000)},dc=example,dc=com\ncn: x\n`);
    const e = await refusal(app.snapshots.importLdifFile({ path: file, name: 'Long DN' }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toBe('long-dn.ldif, line 9003: the DN is 200,021 characters long, over the limit of 65,536 characters: no directory uses DNs this long; check the file. Nothing was imported.');
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  });

  it.each([
    ['on one line', (mb: number) => ['dn: cn=big,dc=example,dc=com\ncn: big\ndescription: ', ...Array.from({ length: mb }, () => 'x'.repeat(MiB)), '\n']],
    [
      'in folded base64',
      function* (mb: number) {
        yield 'dn: cn=big,dc=example,dc=com\ncn: big\njpegPhoto:: ';
        const line = `${'QUJD'.repeat(18)}QUI\n `;
        // ~1 MiB of decoded bytes per chunk, folded at 76 characters.
        const chunk = line.repeat(Math.ceil((MiB * 4) / 3 / 75));
        for (let k = 0; k < mb; k++) yield chunk;
        yield 'QUJD\n';
      },
    ],
  ])('a value of 100 MB %s is refused at its line, without reading it whole', async (_how, parts) => {
    const file = join(dir, 'big-value.ldif');
    await writeInParts(file, parts(100));
    const before = process.memoryUsage().rss;
    const progress: number[] = [];
    const e = await refusal(app.snapshots.importLdifFile({ path: file, name: 'Big', onProgress: (p) => progress.push(p.entries) }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/^big-value\.ldif, line 3: this line(, with the lines that continue it,)? is longer than 22,370,648 characters, the limit for one line \(a value of up to 16 MiB \(16,777,216 bytes\) in base64\)/);
    expect(e.message).toMatch(/Nothing was imported\.$/);
    // A generous bound: the reader holds at most the limit's ~21 MiB line (42 MB as UTF-16), not the 100 MB value.
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * MiB);
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  }, 120_000);

  it('a value of 16 MiB (the limit) is imported byte for byte, as python3-ldap reads it', async () => {
    const file = join(dir, 'photo.ldif');
    const bytes = Buffer.alloc(16 * MiB);
    for (let k = 0; k < bytes.length; k++) bytes[k] = (k * 7919) & 0xff;
    const b64 = bytes.toString('base64');
    await writeInParts(file, (function* () {
      yield 'dn: cn=photo,dc=example,dc=com\ncn: photo\njpegPhoto:: ';
      for (let k = 0; k < b64.length; k += 75 * 4096) yield b64.slice(k, k + 75 * 4096).replace(/(.{75})(?!$)/g, '$1\n ');
      yield '\n';
    })());
    const s = await app.snapshots.importLdifFile({ path: file, name: 'Photo' });
    expect(s.entries).toBe(1);
    const [entry] = [...snapshotEntries(app.snapshots['deps'].db, s.id)];
    const ours = Buffer.from(entry.attributes.jpegPhoto[0], 'base64');
    const python = spawnSync(
      '/usr/bin/python3',
      ['-c', 'import sys, ldif, hashlib\nr = ldif.LDIFRecordList(open(sys.argv[1], "rb"))\nr.parse()\ndn, e = r.all_records[0]\nprint(dn, len(e["jpegPhoto"][0]), hashlib.sha256(e["jpegPhoto"][0]).hexdigest())', file],
      { encoding: 'utf8' },
    );
    expect(python.stderr).toBe('');
    const { createHash } = await import('node:crypto');
    expect(python.stdout.trim()).toBe(`cn=photo,dc=example,dc=com ${16 * MiB} ${createHash('sha256').update(ours).digest('hex')}`);
    expect(ours.equals(bytes)).toBe(true);
  }, 120_000);
});

describe('the window\'s import, through the real IPC router', () => {
  let dialogAnswer: string | null;
  let route: ReturnType<typeof createRouter>;
  let events: SnapshotProgress[];
  const ctx = { emit: (name: string, payload: unknown) => void (name === 'snapshot.progress' && events.push(payload as SnapshotProgress)) };
  beforeEach(() => {
    events = [];
    route = createRouter(createHandlers(app, { chooseFile: async () => dialogAnswer }), { isTrustedSender: (u) => !!u?.startsWith(`${ORIGIN}/`) });
  });
  const choose = async (path: string | null) => {
    dialogAnswer = path;
    const r = await route(FROM_WINDOW, 'snapshots.chooseLdifFile', {}, ctx);
    if (!r.ok) throw new Error(r.error.message);
    return r.data as { token: string; path: string; size: number | null } | null;
  };

  it('imports a file chosen in main\'s dialog by its token, with progress in bytes', async () => {
    const file = join(dir, 'people.ldif');
    const text = people(4000);
    await writeFile(file, text);
    const chosen = await choose(file);
    expect(chosen).toEqual({ token: expect.stringMatching(/^[0-9a-f-]{36}$/), path: file, size: Buffer.byteLength(text) });
    const r = await route(FROM_WINDOW, 'snapshots.importLdif', { jobId: JOB, name: 'People', fileToken: chosen!.token }, ctx);
    expect(r).toMatchObject({ ok: true, data: { name: 'People', origin: 'ldif', fileName: 'people.ldif', entries: 4000 } });
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1)).toEqual({ jobId: JOB, entries: 4000, pages: expect.any(Number), expected: null, bytes: { read: Buffer.byteLength(text), total: Buffer.byteLength(text) } });
  });

  it('no longer takes the file\'s text from the window', async () => {
    const r = await route(FROM_WINDOW, 'snapshots.importLdif', { name: 'X', fileName: 'x.ldif', text: 'dn: cn=x\ncn: x\n' }, ctx);
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  });

  it('refuses a token the dialog never gave out, or gave out for a bind password file', async () => {
    const unknown = await route(FROM_WINDOW, 'snapshots.importLdif', { jobId: JOB, name: 'X', fileToken: '00000000-0000-4000-8000-00000000dead' }, ctx);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('choose it again') } });
    const file = join(dir, 'people.ldif');
    await writeFile(file, people(3));
    dialogAnswer = file;
    const pw = await route(FROM_WINDOW, 'servers.choosePasswordFile', {}, ctx);
    const token = (pw as { data: { token: string } }).data.token;
    const asLdif = await route(FROM_WINDOW, 'snapshots.importLdif', { jobId: JOB, name: 'X', fileToken: token }, ctx);
    expect(asLdif).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('choose it again') } });
    expect(await choose(null)).toBeNull();
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  });

  it('stops at Cancel and keeps nothing', async () => {
    const file = join(dir, 'people.ldif');
    await writeFile(file, people(20_000));
    const chosen = await choose(file);
    const cancelOnFirstProgress = {
      emit: (name: string) => {
        if (name === 'snapshot.progress' && events.push({} as SnapshotProgress) === 1) void route(FROM_WINDOW, 'snapshots.cancel', { jobId: JOB }, ctx);
      },
    };
    const r = await route(FROM_WINDOW, 'snapshots.importLdif', { jobId: JOB, name: 'People', fileToken: chosen!.token }, cancelOnFirstProgress);
    expect(r).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(app.snapshots.list()).toEqual([]);
    expect(storeCounts()).toEqual({ snapshots: 0, entries: 0 });
  });
});
