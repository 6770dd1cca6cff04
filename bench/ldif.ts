/**
 * Benchmark: LDIF import (issue 12.5). Generates an LDIF file of about `--mb` MB (people under
 * ou=people, each with a folded line and a base64 value), then, each in a fresh process on a fresh
 * store, imports it through the SnapshotService the app and the CLI use:
 *   - file: importLdifFile, the path read once as a stream (the CLI, and the window since 12.5);
 *   - text: importLdifText of the whole file's text, what the window's import did before 12.5
 *     once the text had crossed IPC (the IPC copy itself, structured clone, not included);
 * printing wall time, peak RSS of the process and the longest event-loop block. Baselines on the
 * same file: python3-ldap's LDIF parser (parse only) and `slapadd -q` into an empty back_mdb.
 * Then value sizes: one value of 2, 4, 8 and 16 MiB (the limit), on one line and folded base64,
 * through the reader alone: time per MiB should stay flat (linear), where it used to grow.
 * Prints figures; no thresholds.
 *
 *   npm run bench:ldif -- [--mb 60]
 *
 * Internal: `--child MODE` runs one measurement (input in BENCH_LDIF_INPUT, answer as one
 * `BENCH_LDIF_RESULT {json}` line).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseIntArgs } from './args';
import { watchEventLoop } from './event-loop-watch';
import { machineLine, MB, noKeychain, runBench, runTsxChild, table } from './runtime';

const MARKER = 'BENCH_LDIF_RESULT';
const HERE = fileURLToPath(import.meta.url);
const SUFFIX = 'dc=example,dc=com';

interface ImportResult {
  ms: number;
  entries: number;
  peakRssBytes: number;
  loopMaxMs: number;
  /** CPU the main thread used within its longest block (on a busy machine a block can be waiting for a core). */
  loopMaxCpuMs: number | null;
  error?: string;
}
interface ValueResult {
  mib: number;
  form: 'one line' | 'folded base64';
  ms: number | null;
  error?: string;
}

/** One person, ~230 bytes. */
function person(i: number): string {
  return (
    `dn: uid=user${i},ou=people,${SUFFIX}\nobjectClass: inetOrgPerson\nuid: user${i}\ncn: User ${i}\nsn: Number ${i}\nmail: user${i}@example.com\n` +
    `description: a description long enough to be folded, as ldapsearch folds lines at 76 c\n haracters (${i})\n` +
    `givenName:: ${Buffer.from(`Zoë ${i}`).toString('base64')}\n\n`
  );
}

/** Writes the test file: the suffix and ou=people, then people until it holds `mb` MB. Returns the entry count. */
async function generate(file: string, mb: number): Promise<number> {
  const out = createWriteStream(file);
  // No "version: 1": slapadd (the baseline) reads it as an entry without a DN.
  out.write(`dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n\ndn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n`);
  let bytes = 0;
  let i = 0;
  while (bytes < mb * MB) {
    let chunk = '';
    for (let k = 0; k < 1000; k++) chunk += person(++i);
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return i + 2;
}

/** The child: one import through the service, watched. */
async function childImport(mode: 'file' | 'text', file: string, dir: string): Promise<ImportResult> {
  const { createAppContext } = await import('../src-main/app-context');
  const app = createAppContext({ dbPath: path.join(dir, `store-${mode}.sqlite`), keychain: noKeychain });
  const loop = watchEventLoop();
  const started = performance.now();
  try {
    const s =
      mode === 'file' ? await app.snapshots.importLdifFile({ path: file, name: 'bench' }) : await app.snapshots.importLdifText({ text: readFileSync(file, 'utf8'), fileName: 'bench.ldif', name: 'bench' });
    const ms = performance.now() - started;
    const report = loop.stop();
    return { ms, entries: s.entries, peakRssBytes: process.resourceUsage().maxRSS * 1024, loopMaxMs: report.maxMs, loopMaxCpuMs: report.maxCpuMs };
  } catch (err) {
    const report = loop.stop();
    return { ms: performance.now() - started, entries: 0, peakRssBytes: process.resourceUsage().maxRSS * 1024, loopMaxMs: report.maxMs, loopMaxCpuMs: report.maxCpuMs, error: (err as Error).message.slice(0, 200) };
  } finally {
    app.close();
  }
}

/** The child: one value of `mib` MiB through the reader alone, fed in 64 KiB chunks. */
async function childValue(mib: number, form: ValueResult['form']): Promise<ValueResult> {
  const { LdifReader } = await import('../src-main/snapshots/ldif');
  const chunks: string[] = [];
  if (form === 'one line') {
    const text = `dn: cn=v\ndescription: ${'x'.repeat(mib * MB)}\n`;
    for (let k = 0; k < text.length; k += 65536) chunks.push(text.slice(k, k + 65536));
  } else {
    const b64 = Buffer.alloc(mib * MB, 0xa7).toString('base64');
    let text = `dn: cn=v\njpegPhoto:: ${b64.slice(0, 63)}\n`;
    const lines: string[] = [];
    for (let k = 63; k < b64.length; k += 75) lines.push(` ${b64.slice(k, k + 75)}\n`);
    text += lines.join('');
    for (let k = 0; k < text.length; k += 65536) chunks.push(text.slice(k, k + 65536));
  }
  const started = performance.now();
  try {
    const reader = new LdifReader();
    for (const c of chunks) reader.push(c);
    reader.end();
    return { mib, form, ms: performance.now() - started };
  } catch (err) {
    return { mib, form, ms: null, error: (err as Error).message.slice(0, 120) };
  }
}

/** python3-ldap's LDIF parser over the file (parse only, records counted): seconds and peak RSS. */
function pythonParse(file: string): { ms: number; entries: number; peakRssBytes: number } | string {
  const script = `import sys, time, resource, ldif
class P(ldif.LDIFParser):
    n = 0
    def handle(self, dn, entry): P.n += 1
t = time.perf_counter()
p = P(open(sys.argv[1], 'rb'))
p.parse()
print(P.n, (time.perf_counter() - t) * 1000, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' });
  if (r.status !== 0) return `python3-ldap failed: ${r.stderr.trim().split('\n').pop()}`;
  const [n, ms, rss] = r.stdout.trim().split(' ').map(Number);
  return { ms, entries: n, peakRssBytes: rss };
}

/** `slapadd -q` of the file into an empty back_mdb (slapd not running): wall time. */
async function slapadd(file: string, dir: string): Promise<{ ms: number } | string> {
  const conf = path.join(dir, 'slapd.conf');
  const data = path.join(dir, 'mdb');
  writeFileSync(path.join(dir, '.keep'), '');
  spawnSync('mkdir', ['-p', data]);
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      'database mdb',
      `suffix "${SUFFIX}"`,
      `directory "${data}"`,
      'maxsize 4294967296',
      '',
    ].join('\n'),
  );
  const started = performance.now();
  const child = spawn('/usr/sbin/slapadd', ['-q', '-f', conf, '-n', '1', '-l', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return code === 0 ? { ms: performance.now() - started } : `slapadd failed: ${stderr.trim().split('\n').pop()}`;
}

const usage = `npm run bench:ldif -- [--mb 60]
  --mb  size of the generated LDIF file in MB (default 60)`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const input = JSON.parse(process.env.BENCH_LDIF_INPUT ?? '{}');
    const result = argv[1] === 'value' ? await childValue(input.mib, input.form) : await childImport(argv[1] as 'file' | 'text', input.file, input.dir);
    console.log(`${MARKER} ${JSON.stringify(result)}`);
    return;
  }
  const { mb } = parseIntArgs(argv, { mb: 60 }, usage);
  console.log(machineLine());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lss-bench-ldif-'));
  try {
    const file = path.join(dir, 'people.ldif');
    const entries = await generate(file, mb);
    const size = statSync(file).size;
    console.log(`file: ${(size / MB).toFixed(1)} MiB, ${entries.toLocaleString('en-US')} entries\n`);
    const child = <T>(args: string[], input: unknown) => runTsxChild<T>({ script: HERE, args: ['--child', ...args], cwd: process.cwd(), inputVar: 'BENCH_LDIF_INPUT', input, marker: MARKER });
    const rows: string[][] = [];
    for (const mode of ['file', 'text'] as const) {
      const r = await child<ImportResult>([mode], { file, dir });
      const label = mode === 'file' ? 'import a path, read once as a stream' : 'import the whole text (the old window path, after IPC)';
      const block = `${r.loopMaxMs.toFixed(0)}${r.loopMaxCpuMs === null || r.loopMaxCpuMs === undefined ? '' : ` (cpu ${r.loopMaxCpuMs.toFixed(0)})`}`;
      rows.push([label, r.error ? `failed: ${r.error}` : (r.ms / 1000).toFixed(2), (r.peakRssBytes / MB).toFixed(0), block, r.entries.toLocaleString('en-US')]);
    }
    const py = pythonParse(file);
    rows.push(typeof py === 'string' ? ['python3-ldap ldif parser (parse only)', py, '', '', ''] : ['python3-ldap ldif parser (parse only)', (py.ms / 1000).toFixed(2), (py.peakRssBytes / MB).toFixed(0), '', py.entries.toLocaleString('en-US')]);
    const sa = await slapadd(file, dir);
    rows.push(typeof sa === 'string' ? ['slapadd -q (back_mdb)', sa, '', '', ''] : ['slapadd -q (back_mdb)', (sa.ms / 1000).toFixed(2), '', '', '']);
    console.log(table(['LDIF import', 'seconds', 'peak RSS MiB', 'longest block ms', 'entries'], rows));
    console.log(`(load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores: on a busy machine a block includes waiting for a core; "cpu" is the main thread's own work in it)`);

    const values: string[][] = [];
    for (const form of ['one line', 'folded base64'] as const) {
      for (const mib of [2, 4, 8, 16]) {
        const r = await child<ValueResult>(['value'], { mib, form });
        values.push([`${mib} MiB, ${form}`, r.ms === null ? `failed: ${r.error}` : r.ms.toFixed(0), r.ms === null ? '' : (r.ms / mib).toFixed(1)]);
      }
    }
    console.log(`\n${table(['one value through the reader', 'ms', 'ms per MiB'], values)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
