/**
 * Benchmark: the connection doctor's "matches" count (exact count of the entries matching the
 * search filter, via a paged search asking for no attributes) against `ldapsearch` doing the same
 * search, in the same run, against the same private slapd.
 *
 *   npm run bench:count -- [--users 100000] [--runs 3]
 *
 * For ldap:// and ldaps:// it does 1 warm-up and `--runs` measured rounds; each round times
 *   - ldapsearch -E pr=1000/noprompt ... 1.1 (wall time around the child process, stdout drained),
 *   - runDoctor (its `search` stage, and the wall time of the whole doctor run),
 *   - countEntries alone on an already-bound client,
 * and checks that every count equals --users (exit 1 otherwise). RSS is sampled every 50 ms during
 * our counts to show that memory stays flat.
 */
import { collector, drainLdapsearch, machineLine, MB, median, runBench, table, withRssSampling } from './runtime';
import { parseIntArgs } from './args';
import { performance } from 'node:perf_hooks';
import { startSlapd, type Slapd } from '../test/rig/slapd';
import { emptyServerDraft } from '../src-shared/domain/server-defaults';
import { parseTrustedPem } from '../src-main/ldap/certificate';
import { closeClient, connect } from '../src-main/ldap/client';
import { COUNT_PAGE_SIZE, countEntries } from '../src-main/ldap/count';
import { runDoctor } from '../src-main/ldap/doctor';
import { targetFromDraft, type LdapTarget } from '../src-main/ldap/target';

// ---------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv: string[]): { users: number; runs: number } {
  return parseIntArgs(argv, { users: 100_000, runs: 3 }, 'usage: npm run bench:count -- [--users N (default 100000)] [--runs R (default 3)]');
}

// ---------------------------------------------------------------------------------------------
// Helpers

const gc = collector();

const FILTER = '(&(objectClass=inetOrgPerson)(uid=*))';

interface LdapsearchResult {
  ms: number;
  count: number;
}

/** The baseline: ldapsearch with simple paging, no attributes, stdout drained and counted. */
function runLdapsearch(url: string, slapd: Slapd, caFile: string | null): Promise<LdapsearchResult> {
  const args = ['-x', '-LLL', '-H', url, '-D', slapd.syncDn, '-w', slapd.syncPw, '-b', slapd.baseDn, '-s', 'sub',
    '-E', `pr=${COUNT_PAGE_SIZE}/noprompt`, FILTER, '1.1'];
  const env = { ...process.env };
  if (caFile) env.LDAPTLS_CACERT = caFile;
  return drainLdapsearch(args, env);
}

interface DoctorResult {
  searchMs: number;
  totalMs: number;
  count: number | null;
  peakRssDelta: number;
  error: string | null;
}

async function runOurDoctor(t: LdapTarget, password: string): Promise<DoctorResult> {
  const { value, peakDeltaBytes } = await withRssSampling(gc, async () => {
    const started = performance.now();
    const report = await runDoctor({ target: t, password });
    return { report, totalMs: performance.now() - started };
  });
  const { report, totalMs } = value;
  const search = report.stages.find((s) => s.name === 'search');
  const error = report.error ? `${report.error.code}: ${report.error.message}` : null;
  return { searchMs: search?.ms ?? NaN, totalMs, count: report.matches, peakRssDelta: peakDeltaBytes, error };
}

interface CountResult {
  ms: number;
  count: number;
  peakRssDelta: number;
}

/** countEntries alone, on a client that is already connected and bound (not timed). */
async function runCountOnly(t: LdapTarget, password: string): Promise<CountResult> {
  const client = await connect(t, password);
  try {
    const { value, peakDeltaBytes } = await withRssSampling(gc, async () => {
      const started = performance.now();
      const count = await countEntries(client, t);
      return { count, ms: performance.now() - started };
    });
    return { ...value, peakRssDelta: peakDeltaBytes };
  } finally {
    await closeClient(client);
  }
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
const mb = (x: number) => `${(x / MB).toFixed(1)} MB`;

// ---------------------------------------------------------------------------------------------
// Main

interface SchemeSummary {
  scheme: string;
  ldapsearch: number[];
  doctorSearch: number[];
  doctorTotal: number[];
  countOnly: number[];
  peakRssDoctor: number[];
  peakRssCount: number[];
}

async function main(): Promise<number> {
  const { users, runs } = parseArgs(process.argv.slice(2));
  console.log(machineLine());
  console.log(`command: npm run bench:count -- --users ${users} --runs ${runs}`);
  console.log(`search:  ${FILTER}, attributes 1.1, paged ${COUNT_PAGE_SIZE}/page; 1 warm-up + ${runs} measured runs per scheme`);

  const setupStarted = performance.now();
  let slapd: Slapd | undefined;
  const stopOnSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping slapd`);
    void (slapd?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  let mismatches = 0;
  const summaries: SchemeSummary[] = [];
  try {
    slapd = await startSlapd({ users, logOps: false });
    console.log(`slapd:   ${users.toLocaleString('en-US')} users loaded and serving in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    const caPem = slapd.pki.caCertPem;

    for (const scheme of ['ldap', 'ldaps'] as const) {
      const url = scheme === 'ldap' ? slapd.url : slapd.ldapsUrl;
      const target = targetFromDraft({
        ...emptyServerDraft(),
        name: 'bench',
        url: `${url}/${slapd.baseDn}`,
        bindDn: slapd.syncDn,
        timeoutSeconds: 60,
        trustedCertificates: scheme === 'ldaps' ? [parseTrustedPem(caPem, 'ca')] : [],
      });
      const caFile = scheme === 'ldaps' ? slapd.pki.caCertFile : null;
      const sum: SchemeSummary = { scheme: `${scheme}://`, ldapsearch: [], doctorSearch: [], doctorTotal: [], countOnly: [], peakRssDoctor: [], peakRssCount: [] };

      for (let round = 0; round <= runs; round++) {
        const label = round === 0 ? 'warm-up' : `run ${round}`;
        const ls = await runLdapsearch(url, slapd, caFile);
        const doc = await runOurDoctor(target, slapd.syncPw);
        const only = await runCountOnly(target, slapd.syncPw);
        const problems: string[] = [];
        if (ls.count !== users) problems.push(`ldapsearch counted ${ls.count}`);
        if (doc.error) problems.push(`doctor failed: ${doc.error}`);
        if (doc.count !== users) problems.push(`doctor matches ${doc.count}`);
        if (only.count !== users) problems.push(`countEntries ${only.count}`);
        mismatches += problems.length;
        console.log(`  ${pad(`${scheme}://`, 8)} ${pad(label, 7)}  ldapsearch ${pad(ms(ls.ms), 6, true)} ms  `
          + `doctor search ${pad(ms(doc.searchMs), 6, true)} ms / total ${pad(ms(doc.totalMs), 6, true)} ms  `
          + `countEntries ${pad(ms(only.ms), 6, true)} ms  `
          + `peak RSS +${mb(doc.peakRssDelta)} / +${mb(only.peakRssDelta)}  `
          + (problems.length ? `MISMATCH: ${problems.join('; ')}` : `counts ok (${users})`));
        if (round === 0) continue;
        sum.ldapsearch.push(ls.ms);
        sum.doctorSearch.push(doc.searchMs);
        sum.doctorTotal.push(doc.totalMs);
        sum.countOnly.push(only.ms);
        sum.peakRssDoctor.push(doc.peakRssDelta);
        sum.peakRssCount.push(only.peakRssDelta);
      }
      summaries.push(sum);
    }
  } finally {
    await slapd?.stop();
  }

  console.log('');
  console.log(`median of ${runs} runs, ms (${users.toLocaleString('en-US')} matching entries):`);
  console.log(table(
    ['scheme', 'ldapsearch', 'doctor search', 'doctor total', 'countEntries', 'search/ldapsearch', 'total/ldapsearch', 'count/ldapsearch', 'entries/s (search)'],
    summaries.map((s) => {
      const l = median(s.ldapsearch);
      const d = median(s.doctorSearch);
      const t = median(s.doctorTotal);
      const c = median(s.countOnly);
      return [s.scheme, ms(l), ms(d), ms(t), ms(c), ratio(d, l), ratio(t, l), ratio(c, l), Math.round((users / d) * 1000).toLocaleString('en-US')];
    }),
  ));
  console.log('');
  console.log('peak RSS growth during our count (sampled every 50 ms, max over measured runs):');
  console.log(table(
    ['scheme', 'runDoctor', 'countEntries'],
    summaries.map((s) => [s.scheme, `+${mb(Math.max(...s.peakRssDoctor))}`, `+${mb(Math.max(...s.peakRssCount))}`]),
  ));
  console.log('');
  if (mismatches) {
    console.log(`FAIL: ${mismatches} count mismatch(es); expected ${users} everywhere`);
    return 1;
  }
  console.log(`OK: every count equals ${users}`);
  return 0;
}

runBench(main);
