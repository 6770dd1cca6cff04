/**
 * Benchmark: the script engine (QuickJS sandbox) over synthetic directory entries.
 *
 *   npm run bench:scripts -- [--entries 100000] [--runs 3]
 *
 * Prints machine info, then medians over `--runs` measured rounds (the cases take turns, with a
 * GC before each) after one warm-up of
 *   - entries/s for Active + Org name + Role name written with string functions, and for their
 *     regular-expression twins (and the ratio), evaluated in one call and in pages of 1,000
 *     (how a sync calls it); wall clock, and per CPU second of the process (steadier on a
 *     shared machine); and for the three scripts bench:sync uses, in pages, both in this thread
 *     (ScriptEngine) and through the app's ScriptRunner (sandboxes in a worker thread, entries
 *     packed on the main thread, outcomes unpacked there: what a sync pays);
 *   - the time from a script edit to re-evaluating a 50-entry page (evaluate() with changed
 *     script text, recompilation included).
 */
import { collector, machineLine, median, runBench } from './runtime';
import { parseIntArgs } from './args';
import { performance } from 'node:perf_hooks';
import type { ServerScripts } from '../src-shared/domain/mapping';
import { ScriptEngine, usedAttributes, type EntryInput } from '../src-main/scripts/engine';
import { ScriptRunner } from '../src-main/scripts/script-runner';
import { OutcomeMemo } from '../src-main/scripts/outcome-memo';
import { columnsOfEntries } from '../src-main/directory/column-page';
import { analyzeScripts } from '../src-main/scripts/used-attributes';

function parseArgs(argv: string[]): { entries: number; runs: number } {
  return parseIntArgs(argv, { entries: 100_000, runs: 3 }, 'usage: npm run bench:scripts -- [--entries N (default 100000)] [--runs R (default 3)]');
}

const STRING_SCRIPTS: ServerScripts = {
  active: "function(entry) { return entry.employeeType != 'terminated'; }",
  orgName: "function(entry) { return entry.l ? 'Org ' + entry.l : null; }",
  roleName: "function(entry) { return entry.has('employeeType', 'admin') ? ['Org Admin', 'Desktop User'] : 'Desktop User'; }",
};

const REGEX_SCRIPTS: ServerScripts = {
  active: "function(entry) { return !/^terminated$/.test(entry.employeeType || ''); }",
  orgName: "function(entry) { return entry.l ? entry.l.replace(/^/, 'Org ') : null; }",
  roleName: "function(entry) { return /admin/i.test(entry.employeeType || '') ? ['Org Admin', 'Desktop User'] : 'Desktop User'; }",
};

/** The scripts bench:sync runs (plain property reads, no all()/has()): the sync's own script cost. */
const SYNC_SCRIPTS: ServerScripts = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return 'Dept ' + entry.departmentNumber; }",
  roleName: "function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }",
};

const CITIES = ['Paris', 'Oslo', 'Lyon', 'Berlin', 'Madrid', 'Rome', 'Lisbon', 'Vienna', 'Prague', 'Dublin'];
const TYPES = ['staff', 'staff', 'staff', 'contractor', 'admin', 'terminated', 'intern'];

/** Deterministic synthetic users with the attributes a real directory sends. */
function syntheticEntries(n: number): EntryInput[] {
  const out: EntryInput[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `user${i}`;
    const attributes: Record<string, string[]> = {
      uid: [uid],
      mail: i % 5 === 0 ? [`${uid}@example.com`, `${uid}.alias@example.org`] : [`${uid}@example.com`],
      givenName: [`Given${i % 997}`],
      sn: [`Surname${i % 1499}`],
      employeeType: [TYPES[i % TYPES.length]],
      departmentNumber: [String(100 + (i % 40))],
      memberOf: Array.from({ length: 2 + (i % 4) }, (_, g) => `cn=group${(i + g) % 50},ou=groups,dc=example,dc=com`),
      objectClass: ['top', 'person', 'organizationalPerson', 'inetOrgPerson'],
    };
    if (i % 9 !== 0) attributes[i % 2 === 0 ? 'l' : 'location'] = [CITIES[i % CITIES.length]];
    out.push({ dn: `uid=${uid},ou=people,dc=example,dc=com`, attributes });
  }
  return out;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Entries per second (wall clock, and per CPU second of this process) for evaluate() over pages of `page` entries. */
function throughput(engine: ScriptEngine, scripts: ServerScripts, entries: EntryInput[], page: number): { wall: number; cpu: number } {
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let start = 0; start < entries.length; start += page) {
    const result = engine.evaluate(scripts, entries.slice(start, start + page));
    const errors = result.outcomes.reduce((n, o) => n + o.errors.length, 0);
    if (errors > 0) throw new Error(`unexpected script errors: ${JSON.stringify(result.outcomes.find((o) => o.errors.length)?.errors)}`);
  }
  const used = process.cpuUsage(cpu);
  return { wall: entries.length / ((performance.now() - t) / 1000), cpu: entries.length / ((used.user + used.system) / 1e6) };
}

/** {@link throughput} through the runner: each page awaited before the next, as a sync does. */
async function runnerThroughput(runner: ScriptRunner, scripts: ServerScripts, entries: EntryInput[], page: number): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let start = 0; start < entries.length; start += page) {
    const result = await runner.evaluate(scripts, entries.slice(start, start + page));
    if (result.outcomes.some((o) => o.errors.length > 0)) throw new Error('unexpected script errors through the runner');
  }
  const used = process.cpuUsage(cpu);
  return { wall: entries.length / ((performance.now() - t) / 1000), cpu: entries.length / ((used.user + used.system) / 1e6) };
}

/**
 * {@link runnerThroughput} as a sync runs it: through the outcome memo (scripts/outcome-memo.ts),
 * which sends each distinct set of read values into the sandbox once; `evaluated` says how many went.
 */
async function memoThroughput(runner: ScriptRunner, scripts: ServerScripts, entries: EntryInput[], page: number, evaluated: number[]): Promise<{ wall: number; cpu: number }> {
  const names = analyzeScripts(scripts).names.map((n) => n.toLowerCase());
  const memo = new OutcomeMemo(names);
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let start = 0; start < entries.length; start += page) {
    const outcomes = await memo.evaluatePage(columnsOfEntries(entries.slice(start, start + page), names), async (some) => (await runner.evaluate(scripts, some)).outcomes);
    if (outcomes.some((o) => o.errors.length > 0)) throw new Error('unexpected script errors through the memo');
  }
  const used = process.cpuUsage(cpu);
  evaluated.push(memo.stats.evaluated);
  return { wall: entries.length / ((performance.now() - t) / 1000), cpu: entries.length / ((used.user + used.system) / 1e6) };
}

type Sample = { wall: number; cpu: number };

/**
 * Runs every case once as a warm-up, then `runs` rounds in which the cases take turns (so a
 * noisy moment on a shared machine hits all of them alike), with a GC before each. Medians.
 */
async function measureAll(cases: Array<[string, () => Sample | Promise<Sample>]>, runs: number, gc: () => void): Promise<Map<string, number>> {
  for (const [, fn] of cases) await fn();
  const samples = new Map<string, Sample[]>(cases.map(([label]) => [label, []]));
  for (let r = 0; r < runs; r++) {
    for (const [label, fn] of cases) {
      gc();
      samples.get(label)!.push(await fn());
    }
  }
  const out = new Map<string, number>();
  for (const [label, values] of samples) {
    const wall = median(values.map((v) => v.wall));
    const cpu = median(values.map((v) => v.cpu));
    console.log(`  ${label.padEnd(48)} ${fmt(wall).padStart(9)} entries/s  (per CPU second: ${fmt(cpu)}; runs: ${values.map((v) => fmt(v.wall)).join(', ')})`);
    out.set(label, wall);
  }
  return out;
}

async function main(): Promise<void> {
  const { entries: n, runs } = parseArgs(process.argv.slice(2));
  console.log(machineLine());
  console.log(`node ${process.version}, quickjs-emscripten RELEASE_SYNC; ${fmt(n)} synthetic entries; median of ${runs} runs after 1 warm-up\n`);
  const entries = syntheticEntries(n);
  console.log(`attributes passed in (string scripts): ${JSON.stringify(usedAttributes(STRING_SCRIPTS))}`);
  console.log(`attributes passed in (regex scripts):  ${JSON.stringify(usedAttributes(REGEX_SCRIPTS))}\n`);

  let t = performance.now();
  const engine = await ScriptEngine.create();
  console.log(`ScriptEngine.create(): ${(performance.now() - t).toFixed(1)} ms (two WebAssembly sandboxes, first compile of the module included)`);
  engine.check(STRING_SCRIPTS);
  const checks: number[] = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now();
    engine.check({ ...STRING_SCRIPTS, orgName: `function(entry) { return entry.l ? 'Org ${i} ' + entry.l : null; }` });
    checks.push(performance.now() - t);
  }
  console.log(`check() of the three scripts (one edited each time): median ${median(checks).toFixed(2)} ms\n`);

  t = performance.now();
  const runner = await ScriptRunner.create();
  console.log(`ScriptRunner.create(): ${(performance.now() - t).toFixed(1)} ms (a worker thread with its two sandboxes)\n`);

  console.log('Active + Org name + Role name over all entries:');
  const gc = collector();
  const evaluated: number[] = [];
  const results = await measureAll(
    [
      ['string functions, one evaluate()', () => throughput(engine, STRING_SCRIPTS, entries, n)],
      ['regex twins, one evaluate()', () => throughput(engine, REGEX_SCRIPTS, entries, n)],
      ['string functions, evaluate() per 1,000', () => throughput(engine, STRING_SCRIPTS, entries, 1000)],
      ['regex twins, evaluate() per 1,000', () => throughput(engine, REGEX_SCRIPTS, entries, 1000)],
      ["bench:sync's scripts, evaluate() per 1,000", () => throughput(engine, SYNC_SCRIPTS, entries, 1000)],
      ["bench:sync's scripts, runner (worker) per 1,000", () => runnerThroughput(runner, SYNC_SCRIPTS, entries, 1000)],
      ['string functions, runner (worker) per 1,000', () => runnerThroughput(runner, STRING_SCRIPTS, entries, 1000)],
      ["bench:sync's scripts, runner + outcome memo per 1,000", () => memoThroughput(runner, SYNC_SCRIPTS, entries, 1000, evaluated)],
    ],
    runs,
    gc,
  );
  const ratio = (a: string, b: string) => (results.get(a)! / results.get(b)!).toFixed(2);
  console.log(
    `  regex cost / string cost: ${ratio('string functions, one evaluate()', 'regex twins, one evaluate()')}x (one evaluate), ` +
      `${ratio('string functions, evaluate() per 1,000', 'regex twins, evaluate() per 1,000')}x (pages)\n`,
  );

  /** Median per-script cost (µs/entry) over `runs` evaluations of 20,000 entries. */
  const medianCosts = (scripts: ServerScripts) => {
    const all = Array.from({ length: runs }, () => engine.evaluate(scripts, entries.slice(0, 20_000)).costs);
    return Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((c) => c[k as keyof typeof c] ?? 0))])) as Record<string, number>;
  };
  const costs = medianCosts(STRING_SCRIPTS);
  const regexCosts = medianCosts(REGEX_SCRIPTS);
  const show = (c: typeof costs) => Object.entries(c).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  const sum = (c: typeof costs) => Object.values(c).reduce<number>((n, v) => n + (v ?? 0), 0);
  console.log(`per-script cost (µs/entry, median of ${runs} x 20,000 entries): string: ${show(costs)}; regex: ${show(regexCosts)}`);
  console.log(`  time inside the three scripts, regex / string: ${(sum(regexCosts) / sum(costs)).toFixed(2)}x\n`);

  console.log('Script edit -> re-evaluate a 50-entry page (recompiling the edited script):');
  const page = entries.slice(0, 50);
  const editTimes: number[] = [];
  for (let edit = 0; edit < 1 + runs * 10; edit++) {
    const edited = { ...STRING_SCRIPTS, orgName: `function(entry) { return entry.l ? 'Org ${edit} ' + entry.l : null; }` };
    t = performance.now();
    const result = engine.evaluate(edited, page, { captureLogs: true });
    const ms = performance.now() - t;
    if (result.outcomes.some((o) => o.errors.length > 0)) throw new Error('unexpected errors after an edit');
    if (edit > 0) editTimes.push(ms);
  }
  console.log(`  median ${median(editTimes).toFixed(2)} ms, max ${Math.max(...editTimes).toFixed(2)} ms over ${editTimes.length} edits (target < 50 ms)`);
  const program = { ...STRING_SCRIPTS, roleName: "function isAdmin(e) { return e.has('employeeType', 'admin'); }\n(function(entry) { return isAdmin(entry) ? 'Org Admin' : 'Desktop User'; })" };
  const programTimes: number[] = [];
  for (let edit = 0; edit < 1 + runs * 10; edit++) {
    t = performance.now();
    engine.evaluate({ ...program, active: `entry => entry.uid != 'nobody${edit}'` }, page);
    if (edit > 0) programTimes.push(performance.now() - t);
  }
  console.log(`  with helper functions (program form, dynamic attributes): median ${median(programTimes).toFixed(2)} ms`);
  console.log(`\nRSS at the end: ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB; sandbox WebAssembly memory: ${Math.round(engine.memoryBytes() / 2 ** 20)} MiB`);
  const inWorker = results.get("bench:sync's scripts, runner (worker) per 1,000")!;
  console.log(`scripts in the worker (bench:sync's scripts, pages of 1,000): ${fmt(inWorker)} entries/s (target >= 150,000)`);
  const memoed = results.get("bench:sync's scripts, runner + outcome memo per 1,000")!;
  console.log(`the same as a sync runs them, through the outcome memo: ${fmt(memoed)} entries/s; entries evaluated in the sandbox per pass: ${fmt(median(evaluated))} of ${fmt(n)}`);
  engine.dispose();
  runner.dispose();
}

runBench(main);
