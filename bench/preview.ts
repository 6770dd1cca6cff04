/**
 * Benchmark: the time from a script edit to a refreshed 50-row preview page, end to end through
 * the real preview service (PreviewService.run on an app context: draft normalisation, session and
 * connection key, entry source with its page cache, script engine, row building) against a
 * private slapd.
 *
 *   npm run bench:preview -- [--users 5000] [--edits 30]
 *
 * Prints
 *   - the first page load (bind, exact count of the matches, attribute-name sample, page fetch);
 *   - page 2 (the open cursor moves on) and back to page 1 (served from the page cache);
 *   - median/max run() wall time over `--edits` script edits that change a literal of the Active
 *     script while reading only attributes already fetched (no directory traffic expected);
 *   - the same over `--edits` edits that make the Active script read an attribute not fetched yet
 *     (each forces a new search of page 1).
 * Every result is checked (50 rows, no problems, exactly the edited row inactive), and the LDAP
 * requests sent during each phase are counted; exit 1 on any mismatch.
 */
import { machineLine, median, noKeychain, runBench } from './runtime';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'ldapts';
import { parseIntArgs } from './args';
import { createAppContext, type AppContext } from '../src-main/app-context';
import type { PreviewRunInput } from '../src-main/services/preview-service';
import { insertOrganization } from '../src-main/store/organizations-repo';
import type { ServerScripts } from '../src-shared/domain/mapping';
import type { PreviewResult } from '../src-shared/domain/preview';
import type { ServerDraft } from '../src-shared/domain/server';
import { emptyServerDraft } from '../src-shared/domain/server-defaults';
import { startSlapd, type Slapd } from '../test/rig/slapd';

const USAGE = 'usage: npm run bench:preview -- [--users N (default 5000)] [--edits E (default 30)]';
const PAGE_SIZE = 50;
const TARGET_MS = 50;

const BASE_SCRIPTS: ServerScripts = {
  active: "function(entry) { return entry.employeeType != 'terminated'; }",
  orgName: "function(entry) { return entry.departmentNumber ? 'Dept ' + entry.departmentNumber : null; }",
  // The generated directory has staff, contractor and intern users (no admins): contractors get both branches exercised.
  roleName: "function(entry) { return entry.has('employeeType', 'contractor') ? ['Org Admin'] : 'Desktop User'; }",
};

/** An edit of the Active script that changes a literal: reads employeeType and uid, both fetched already. */
const literalEdit = (uid: string): string => `function(entry) { return entry.employeeType != 'terminated' && entry.uid != '${uid}'; }`;

/** An edit that also reads `attr`, which the current search did not fetch (every generated user has it). */
const attributeEdit = (attr: string, uid: string): string =>
  `function(entry) { return entry.employeeType != 'terminated' && entry.${attr} != null && entry.uid != '${uid}'; }`;

/**
 * Attributes every generated user holds but the base scripts and mapping do not read. Alternating
 * them means each edit asks for one the current search lacks (pages fetched with more attributes
 * serve requests for fewer, so a second edit with the same attribute would not refetch).
 */
const NEW_ATTRIBUTES = ['cn', 'objectClass'];

// ---------------------------------------------------------------------------------------------
// LDAP request counter: wraps ldapts' internal send, so a phase can show what reached the directory.

const requests = new Map<string, number>();
{
  const proto = Client.prototype as unknown as { _send(message: object): Promise<unknown> };
  const send = proto._send;
  if (typeof send !== 'function') throw new Error('ldapts Client.prototype._send not found: cannot count LDAP requests');
  proto._send = function (this: unknown, message: object) {
    const kind = message.constructor.name.replace(/Request$/, '');
    requests.set(kind, (requests.get(kind) ?? 0) + 1);
    return send.call(this, message);
  };
}

/** Requests sent since the last call, e.g. "Search 1" or "none". */
function takeRequests(): string {
  const parts = [...requests].map(([k, n]) => `${k} ${n}`);
  requests.clear();
  return parts.length ? parts.join(', ') : 'none';
}

function searchesIn(summary: string): number {
  return Number(/Search (\d+)/.exec(summary)?.[1] ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const ms = (x: number) => `${x.toFixed(1)} ms`;

/** Problems with a page: row count, row problems, and which usernames should be inactive. */
function checkPage(r: PreviewResult, inactive: string | null, label: string): string[] {
  const out: string[] = [];
  if (r.rows.length !== PAGE_SIZE) out.push(`${label}: ${r.rows.length} rows, expected ${PAGE_SIZE}`);
  const withErrors = r.rows.filter((row) => row.errors.length > 0);
  if (withErrors.length) out.push(`${label}: ${withErrors.length} rows with problems, e.g. ${JSON.stringify(withErrors[0].errors[0])}`);
  const wrong = r.rows.filter((row) => row.active !== (row.username !== inactive));
  if (wrong.length) out.push(`${label}: ${wrong.length} rows with an unexpected Active result (expected only ${inactive ?? 'none'} inactive)`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const { users, edits } = parseIntArgs(process.argv.slice(2), { users: 5000, edits: 30 }, USAGE);
  console.log(machineLine());
  console.log(`command: npm run bench:preview -- --users ${users} --edits ${edits}`);

  let slapd: Slapd | undefined;
  let ctx: AppContext | undefined;
  let dir: string | undefined;
  const stopOnSignal = (sig: NodeJS.Signals) => {
    console.error(`\n${sig}: stopping slapd`);
    ctx?.close();
    void (slapd?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);

  const problems: string[] = [];
  try {
    let t = performance.now();
    slapd = await startSlapd({ users, logOps: false });
    console.log(`slapd:   ${users.toLocaleString('en-US')} users loaded and serving in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    dir = await mkdtemp(path.join(os.tmpdir(), 'lss-bench-preview-'));
    ctx = createAppContext({ dbPath: path.join(dir, 'store.sqlite'), keychain: noKeychain, env: { BENCH_PW: slapd.syncPw } });
    // The Org script yields "Dept D100".."Dept D109"; the roles "Org Admin" and "Desktop User" are seeded.
    for (let d = 100; d < 110; d++) insertOrganization(ctx.store.db, { name: `Dept D${d}` });

    t = performance.now();
    await ctx.scriptEngine();
    console.log(`engine:  ScriptEngine created in ${ms(performance.now() - t)} (once per app context, before the first page)`);

    const app = ctx;
    const baseDraft: ServerDraft = { ...emptyServerDraft(), name: 'bench', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn };
    const run = (scripts: ServerScripts, page = 1): Promise<PreviewResult> => {
      const input: PreviewRunInput = {
        sessionId: 'bench',
        draft: { ...baseDraft, scripts },
        password: { kind: 'env', name: 'BENCH_PW' },
        page,
        pageSize: PAGE_SIZE,
        search: null,
      };
      return app.preview.run(input);
    };
    const timed = async (scripts: ServerScripts, page = 1) => {
      takeRequests();
      const started = performance.now();
      const result = await run(scripts, page);
      return { result, ms: performance.now() - started, requests: takeRequests() };
    };
    console.log(`preview: filter ${baseDraft.searchFilter}, page size ${PAGE_SIZE}, password from env BENCH_PW; wall time of PreviewService.run()`);
    console.log('');

    // First load: bind, count, attribute-name sample, first page.
    const first = await timed(BASE_SCRIPTS);
    problems.push(...checkPage(first.result, null, 'first page'));
    if (first.result.total !== users) problems.push(`first page: total ${first.result.total}, expected ${users}`);
    console.log(`first page load (bind + count + page 1):  ${ms(first.ms).padStart(9)}   total=${first.result.total}, `
      + `script time ${first.result.summary.scriptMs} ms; LDAP requests: ${first.requests}`);

    const page2 = await timed(BASE_SCRIPTS, 2);
    problems.push(...checkPage(page2.result, null, 'page 2'));
    console.log(`page 2 (cursor moves on):                  ${ms(page2.ms).padStart(9)}   LDAP requests: ${page2.requests}`);
    const back = await timed(BASE_SCRIPTS, 1);
    problems.push(...checkPage(back.result, null, 'back to page 1'));
    if (back.requests !== 'none') problems.push(`back to page 1 sent LDAP requests: ${back.requests}`);
    console.log(`back to page 1 (page cache):               ${ms(back.ms).padStart(9)}   LDAP requests: ${back.requests}`);

    const page1Users = first.result.rows.map((r) => r.username).filter((u): u is string => u !== null);
    if (page1Users.length === 0) throw new Error('page 1 has no usernames');

    // Script edits that change a literal only: same attributes, so the cached page is re-evaluated.
    const literal: number[] = [];
    let literalSearches = 0;
    const literalRequests = new Set<string>();
    for (let i = 0; i < edits; i++) {
      const uid = page1Users[i % page1Users.length];
      const r = await timed({ ...BASE_SCRIPTS, active: literalEdit(uid) });
      problems.push(...checkPage(r.result, uid, `literal edit ${i + 1}`));
      literal.push(r.ms);
      literalSearches += searchesIn(r.requests);
      literalRequests.add(r.requests);
    }
    if (literalSearches > 0) problems.push(`literal edits sent ${literalSearches} searches, expected none`);
    console.log('');
    console.log(`script edit -> refreshed page 1 (${PAGE_SIZE} rows), literal changed in Active, no refetch:`);
    console.log(`  median ${ms(median(literal))}, max ${ms(Math.max(...literal))}, min ${ms(Math.min(...literal))} over ${edits} edits `
      + `(target < ${TARGET_MS} ms: ${Math.max(...literal) < TARGET_MS ? 'max under' : median(literal) < TARGET_MS ? 'median under, max over' : 'OVER'}); `
      + `LDAP requests per edit: ${[...literalRequests].join(' | ')}`);

    // Script edits that read an attribute the current search lacks: a new search of page 1.
    const refetch: number[] = [];
    let refetchMissing = 0; // edits that did not send exactly one search
    const refetchRequests = new Set<string>();
    for (let i = 0; i < edits; i++) {
      const uid = page1Users[i % page1Users.length];
      const attr = NEW_ATTRIBUTES[i % NEW_ATTRIBUTES.length];
      const r = await timed({ ...BASE_SCRIPTS, active: attributeEdit(attr, uid) });
      problems.push(...checkPage(r.result, uid, `attribute edit ${i + 1} (${attr})`));
      refetch.push(r.ms);
      if (searchesIn(r.requests) !== 1) refetchMissing++;
      refetchRequests.add(r.requests);
    }
    if (refetchMissing > 0) problems.push(`${refetchMissing} attribute edits did not send exactly one search (one refetch of page 1 expected)`);
    console.log(`script edit -> refreshed page 1 (${PAGE_SIZE} rows), Active reads a new attribute (${NEW_ATTRIBUTES.join(' / ')} alternately), refetch:`);
    console.log(`  median ${ms(median(refetch))}, max ${ms(Math.max(...refetch))}, min ${ms(Math.min(...refetch))} over ${edits} edits `
      + `(target < ${TARGET_MS} ms: ${Math.max(...refetch) < TARGET_MS ? 'max under' : median(refetch) < TARGET_MS ? 'median under, max over' : 'OVER'}); `
      + `LDAP requests per edit: ${[...refetchRequests].join(' | ')}`);
    console.log('');
  } finally {
    ctx?.close();
    await slapd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }

  if (problems.length) {
    console.log(`FAIL: ${problems.length} problem(s):`);
    for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
    return 1;
  }
  console.log('OK: every page had 50 rows, no row problems, exactly the edited user inactive; literal edits sent no search, attribute edits one each');
  return 0;
}

runBench(main);
