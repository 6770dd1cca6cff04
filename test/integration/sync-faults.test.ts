/**
 * The sync engine under faults, against a real slapd and real SQLite files: the directory dies,
 * hangs, caps the result, returns nothing or a referral; a plan goes over the deactivation limits;
 * the process is killed inside the apply transaction; two runs race; the admin cancels. Every
 * test compares a full dump of the users / user_roles / devices / organizations tables before and
 * after, and checks the run's recorded status and error code, and that the run lock is free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { lockHolder } from '../../src-main/store/runs-repo';
import { insertDevice } from '../../src-main/store/users-repo';
import type { ServerDraft, ServerView } from '../../src-shared/domain/server';
import type { RunSummary, SyncProgress } from '../../src-shared/domain/sync';
import { AppError } from '../../src-shared/errors';
import { run } from '../rig/exec';
import { startHangListener, type HangListener } from '../rig/hang-listener';
import { startStallProxy } from '../rig/stall-proxy';
import { startSlapd, userAttributes, userUid, type Slapd } from '../rig/slapd';
import { rigDraft } from './preview-fixture';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHILD = join(ROOT, 'test', 'integration', 'sync-child.ts');

const ACTIVE = `function(entry) { return entry.employeeType !== 'terminated'; }`;
const ORG = `function(entry) { return 'Dept ' + entry.departmentNumber; }`;
const ROLE = `function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }`;
const NO_MATCH_FILTER = '(&(objectClass=inetOrgPerson)(employeeType=nobody)(uid=?))';
const STAFF_FILTER = '(&(objectClass=inetOrgPerson)(employeeType=staff)(uid=?))';

// ---------------------------------------------------------------------------------------------
// Fixture: one store per test in its own folder; a shared 1200-user slapd for the tests that
// leave it as they found it, a fresh one for those that kill or stop it.

interface Ctx {
  dir: string;
  dbPath: string;
  app: AppContext;
  server: ServerView;
  env: NodeJS.ProcessEnv;
}

const opened: Ctx[] = [];
const children: ChildProcess[] = [];

const keychain = () => new SecretToolKeychain({ PATH: process.env.PATH });

function envFor(slapd: Slapd): NodeJS.ProcessEnv {
  return { SYNC_PW: slapd.syncPw, LIMITED_PW: slapd.limitedPw };
}

function corpDraft(slapd: Slapd, over: Partial<ServerDraft> = {}): ServerDraft {
  return { ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: ORG, roleName: ROLE }, createUsers: true, ...over };
}

/** A fresh store with the server "Corp" (Active + Org + Role scripts, createUsers) and its ten department orgs. */
async function openCtx(slapd: Slapd, over: Partial<ServerDraft> = {}): Promise<Ctx> {
  const dir = await mkdtemp(join(tmpdir(), 'lss-sync-faults-'));
  const dbPath = join(dir, 'store.sqlite');
  const env = envFor(slapd);
  const app = createAppContext({ dbPath, keychain: keychain(), env });
  const server = await app.servers.create(corpDraft(slapd, over), { kind: 'env', name: 'SYNC_PW' });
  for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
  const ctx = { dir, dbPath, app, server, env };
  opened.push(ctx);
  return ctx;
}

/** Re-opens the store of `ctx` in a new app context (as the app or the CLI does after a crash). */
function reopen(ctx: Ctx): AppContext {
  ctx.app.close();
  ctx.app = createAppContext({ dbPath: ctx.dbPath, keychain: keychain(), env: ctx.env });
  return ctx.app;
}

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const c of opened.splice(0)) {
    c.app.close();
    await rm(c.dir, { recursive: true, force: true });
  }
});

/** Everything a run may change, in full, in a stable order. */
function dump(db: Database.Database) {
  return {
    users: db.prepare(`SELECT * FROM users ORDER BY id`).all(),
    userRoles: db.prepare(`SELECT * FROM user_roles ORDER BY user_id, role_id`).all(),
    devices: db.prepare(`SELECT * FROM devices ORDER BY id`).all(),
    organizations: db.prepare(`SELECT * FROM organizations ORDER BY id`).all(),
  };
}

const countUsers = (db: Database.Database) => (db.prepare(`SELECT COUNT(*) AS n FROM users`).get() as { n: number }).n;

async function sync(ctx: Ctx, mode: 'sync' | 'simulate' = 'sync'): Promise<RunSummary> {
  return ctx.app.sync.run({ serverId: ctx.server.id, mode, trigger: 'manual' });
}

async function syncApplied(ctx: Ctx): Promise<RunSummary> {
  const r = await sync(ctx);
  if (r.status !== 'applied') throw new Error(`sync ${r.status}: ${r.error?.message ?? r.heldReason}`);
  return r;
}

/** A run that ended as `status` with `code`, changed nothing (checked by the caller's dump) and freed the lock. */
function expectEnded(ctx: Ctx, r: RunSummary, status: 'failed' | 'cancelled', code: string): void {
  expect(r.status).toBe(status);
  expect(r.error?.code).toBe(code);
  if (status === 'failed') expect(r.error?.message).toMatch(/nothing was changed/i);
  expect(r.finishedAt).not.toBeNull();
  expect(r.counts).toEqual({ deactivated: 0, reactivated: 0, created: 0, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 });
  // Recorded as such (not only returned), with no plan rows, and the lock is free.
  expect(ctx.app.sync.get(r.id)).toEqual(r);
  expect([...ctx.app.sync.allChanges(r.id)]).toEqual([]);
  expect(lockHolder(ctx.app.store.db)).toBeUndefined();
  expect(ctx.app.sync.overview().running).toBeNull();
}

async function ldap(slapd: Slapd, tool: 'ldapmodify' | 'ldapadd' | 'ldapdelete', input: string, args: string[] = []): Promise<void> {
  await run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, ...args], { input });
}

const modify = (slapd: Slapd, i: number, attr: string, value: string) => `dn: ${slapd.userDn(i)}\nchangetype: modify\nreplace: ${attr}\n${attr}: ${value}\n\n`;

/** LDIF that re-adds generated user i (as slapadd loaded it). */
function userLdif(slapd: Slapd, i: number): string {
  const a = userAttributes(i);
  const lines = [`dn: ${slapd.userDn(i)}`, 'objectClass: inetOrgPerson', ...Object.entries(a).map(([k, v]) => `${k}:: ${Buffer.from(v).toString('base64')}`), `userPassword: ${slapd.userPassword}`];
  return `${lines.join('\n')}\n\n`;
}

/** The entryUUIDs of deleted users by DN: restoreUsers puts the same entries back, as a restore from a backup does. */
const deletedUuids = new Map<string, string>();

async function deleteUsers(slapd: Slapd, from: number, to: number): Promise<void> {
  const dns: string[] = [];
  for (let i = from; i <= to; i++) dns.push(slapd.userDn(i));
  const found = await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', slapd.baseDn, '(objectClass=inetOrgPerson)', 'entryUUID']);
  for (const block of found.stdout.split('\n\n')) {
    const dn = /^dn: (.*)$/m.exec(block)?.[1];
    const uuid = /^entryUUID: (.*)$/m.exec(block)?.[1];
    if (dn && uuid) deletedUuids.set(dn.toLowerCase(), uuid);
  }
  await ldap(slapd, 'ldapdelete', `${dns.join('\n')}\n`);
}

/** Re-adds the users with their entryUUIDs (the relax control lets the rootdn set it): the same entries, not new ones with reused usernames. */
async function restoreUsers(slapd: Slapd, from: number, to: number): Promise<void> {
  let ldif = '';
  for (let i = from; i <= to; i++) {
    const uuid = deletedUuids.get(slapd.userDn(i).toLowerCase());
    ldif += uuid ? userLdif(slapd, i).replace(/\n\n$/, `\nentryUUID: ${uuid}\n\n`) : userLdif(slapd, i);
  }
  await ldap(slapd, 'ldapadd', ldif, ['-e', 'relax']);
}

// ---------------------------------------------------------------------------------------------
// A child process running one sync on the same store (test/integration/sync-child.ts).

interface ChildRun {
  proc: ChildProcess;
  stdout: string;
  stderr: string;
  events: ({ event: string } & Record<string, unknown>)[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `test` holds for the output so far; rejects after `ms` or when the child exits first. */
  until(test: () => boolean, ms?: number): Promise<void>;
}

/** Runs the child entry directly under node (--import tsx: no wrapper process, so SIGKILL hits the run itself). */
function startChild(ctx: Ctx, serverId: string, mode: 'sync' | 'simulate', runId: string, env: NodeJS.ProcessEnv = {}): ChildRun {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ctx.dbPath, serverId, mode, runId], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...ctx.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const c: ChildRun = {
    proc,
    stdout: '',
    stderr: '',
    events: [],
    exited: new Promise((done) => proc.on('exit', (code, signal) => done({ code, signal }))),
    until(test, ms = 30_000) {
      return new Promise((done, fail) => {
        const started = Date.now();
        const tick = () => {
          if (test()) return done();
          if (proc.exitCode !== null || proc.signalCode !== null) return fail(new Error(`the child exited first (${proc.exitCode ?? proc.signalCode}):\n${c.stdout}\n${c.stderr}`));
          if (Date.now() - started > ms) return fail(new Error(`the child did not get there within ${ms} ms:\n${c.stdout}\n${c.stderr}`));
          setTimeout(tick, 10);
        };
        tick();
      });
    },
  };
  let partial = '';
  proc.stdout!.on('data', (b: Buffer) => {
    c.stdout += b.toString();
    partial += b.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (l.trim()) c.events.push(JSON.parse(l));
  });
  proc.stderr!.on('data', (b: Buffer) => (c.stderr += b.toString()));
  return c;
}

const PAUSE_LINE = /sync-child: pausing \d+ ms inside the apply transaction/;

// ---------------------------------------------------------------------------------------------

let shared: Slapd;

beforeAll(async () => {
  shared = await startSlapd({ users: 1200, logOps: false });
}, 60_000);
afterAll(async () => {
  await shared?.stop();
});

describe('the directory fails in the middle of a run', () => {
  it('slapd killed (SIGKILL) after the first page: failed with CONNECT_FAILED, nothing changed', async () => {
    const slapd = await startSlapd({ users: 3000, logOps: false });
    // Through the stalling proxy, so the kill comes in the middle of the read whatever the reader
    // buffers ahead (it reads on while the scripts and the managed users load); killing slapd
    // closes the proxy's connection to it, and the proxy closes the reader's.
    const proxy = await startStallProxy({ host: '127.0.0.1', port: Number(new URL(slapd.url).port) });
    try {
      const ctx = await openCtx(slapd, { url: `${proxy.url}/${slapd.baseDn}` });
      const first = await syncApplied(ctx);
      expect(first.counts.created).toBe(3000);
      insertDevice(ctx.app.store.db, ctx.app.directory.findUser('user00004')!.id, 'laptop');
      // Changes the killed run would have applied: a move, a deactivation, a role change.
      await ldap(slapd, 'ldapmodify', modify(slapd, 3, 'departmentNumber', 'D109') + modify(slapd, 4, 'employeeType', 'terminated') + modify(slapd, 5, 'employeeType', 'admin'));
      const before = dump(ctx.app.store.db);
      const seen: SyncProgress[] = [];
      // Two search results pass: the root DSE (read once per run, for the domain-scope control) and the first page.
      proxy.stallAfterPages(2);
      const r = await ctx.app.sync.run({
        serverId: ctx.server.id,
        mode: 'sync',
        trigger: 'manual',
        onProgress: (p) => {
          seen.push(p);
          if (p.phase === 'reading' && p.pages === 1) process.kill(slapd.pid, 'SIGKILL');
        },
      });
      expect(proxy.stalledAt).toBeGreaterThan(0);
      expectEnded(ctx, r, 'failed', 'CONNECT_FAILED');
      expect(r.entries).toBeNull();
      expect(seen.map((p) => p.phase)).not.toContain('applying');
      expect(Math.max(...seen.map((p) => p.entries))).toBeLessThan(3000);
      expect(dump(ctx.app.store.db)).toEqual(before);
      // The last applied sync is still the first one.
      expect(ctx.app.sync.history({ serverId: ctx.server.id, status: 'applied', offset: 0, limit: 10 }).runs.map((x) => x.id)).toEqual([first.id]);
    } finally {
      await proxy.close();
      await slapd.stop();
    }
  });

  it('the directory stalls after the first page (a proxy holds its answers back), timeout 2 s: failed with TIMEOUT within the timeout, nothing changed', async () => {
    const slapd = await startSlapd({ users: 3000, logOps: false });
    // The proxy stops forwarding in the middle of the read whatever the reader buffers ahead
    // (SIGSTOP on slapd came too late when every page was already read).
    const proxy = await startStallProxy({ host: '127.0.0.1', port: Number(new URL(slapd.url).port) });
    try {
      const ctx = await openCtx(slapd, { timeoutSeconds: 2, url: `${proxy.url}/${slapd.baseDn}` });
      await syncApplied(ctx);
      await ldap(slapd, 'ldapmodify', modify(slapd, 3, 'departmentNumber', 'D109') + modify(slapd, 4, 'employeeType', 'terminated'));
      const before = dump(ctx.app.store.db);
      const pagesBefore = proxy.pagesForwarded;
      // Two search results pass: the root DSE (read once per run, for the domain-scope control) and the first page.
      proxy.stallAfterPages(2);
      const seen: SyncProgress[] = [];
      const r = await ctx.app.sync.run({ serverId: ctx.server.id, mode: 'sync', trigger: 'manual', onProgress: (p) => seen.push(p) });
      const waited = performance.now() - proxy.stalledAt;
      expect(proxy.stalledAt).toBeGreaterThan(0);
      expect(proxy.pagesForwarded - pagesBefore).toBe(2);
      proxy.resume();
      expectEnded(ctx, r, 'failed', 'TIMEOUT');
      expect(r.error?.message).toContain('within 2 s');
      // It stalled in the middle of the read: after the first page, before the last.
      expect(Math.max(...seen.map((p) => p.entries))).toBeGreaterThan(0);
      expect(Math.max(...seen.map((p) => p.entries))).toBeLessThan(3000);
      expect(seen.map((p) => p.phase)).not.toContain('applying');
      // ldapts's own 2 s timer or the reader's 3 s deadline: never the default 30 s.
      expect(waited).toBeGreaterThan(1500);
      expect(waited).toBeLessThan(5000);
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await proxy.close();
      await slapd.stop();
    }
  });

  it('slapd stopped before the run (connection refused): failed with CONNECT_REFUSED, nothing changed', async () => {
    const slapd = await startSlapd({ users: 20, logOps: false });
    const ctx = await openCtx(slapd);
    await syncApplied(ctx);
    await slapd.stop();
    const before = dump(ctx.app.store.db);
    const r = await sync(ctx);
    expectEnded(ctx, r, 'failed', 'CONNECT_REFUSED');
    expect(dump(ctx.app.store.db)).toEqual(before);
  });
});

describe('results that must not be mistaken for absence', () => {
  it('an account capped at 500 entries by slapd: failed with SIZE_LIMIT, nobody deactivated', async () => {
    const ctx = await openCtx(shared);
    const first = await syncApplied(ctx);
    expect(first.counts.created).toBe(1200);
    insertDevice(ctx.app.store.db, ctx.app.directory.findUser('user01100')!.id, 'laptop');
    await ctx.app.servers.update(ctx.server.id, corpDraft(shared, { bindDn: shared.limitedDn }), { kind: 'env', name: 'LIMITED_PW' });
    const before = dump(ctx.app.store.db);
    for (const mode of ['sync', 'simulate'] as const) {
      const r = await sync(ctx, mode);
      expectEnded(ctx, r, 'failed', 'SIZE_LIMIT');
      expect(r.error?.message).toContain(shared.limitedDn);
      expect(r.managedBefore).toBe(1200);
    }
    expect(dump(ctx.app.store.db)).toEqual(before);
    expect(ctx.app.directory.findUser('user01100')).toMatchObject({ active: true, activeDevices: 1 });
  });

  it('a filter that now matches nothing: failed with EMPTY_RESULT, nothing changed (sync and simulate)', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    await ctx.app.servers.update(ctx.server.id, corpDraft(shared, { searchFilter: NO_MATCH_FILTER }), { kind: 'keep' });
    const before = dump(ctx.app.store.db);
    for (const mode of ['sync', 'simulate'] as const) {
      const r = await sync(ctx, mode);
      expectEnded(ctx, r, 'failed', 'EMPTY_RESULT');
      expect(r.entries).toBe(0);
      expect(r.error?.message).toContain('1200');
    }
    expect(dump(ctx.app.store.db)).toEqual(before);
  });

  it('a search base that now holds no users: failed with EMPTY_RESULT, nothing changed', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    await ctx.app.servers.update(ctx.server.id, corpDraft(shared, { url: `${shared.url}/ou=groups,${shared.suffix}` }), { kind: 'env', name: 'SYNC_PW' });
    const before = dump(ctx.app.store.db);
    const r = await sync(ctx);
    expectEnded(ctx, r, 'failed', 'EMPTY_RESULT');
    expect(dump(ctx.app.store.db)).toEqual(before);
  });

  it('every entry deleted but users still managed (a new store, no earlier run): failed with EMPTY_RESULT', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    // The run history is gone (e.g. pruned): the managed users alone make an empty result suspect.
    ctx.app.store.db.prepare(`DELETE FROM sync_runs`).run();
    await ctx.app.servers.update(ctx.server.id, corpDraft(shared, { searchFilter: NO_MATCH_FILTER }), { kind: 'keep' });
    const before = dump(ctx.app.store.db);
    const r = await sync(ctx);
    expectEnded(ctx, r, 'failed', 'EMPTY_RESULT');
    expect(r.error?.message).toContain('1200 users are managed');
    expect(dump(ctx.app.store.db)).toEqual(before);
  });

  it('a referral under the search base: failed with REFERRAL, nothing changed, nothing contacted but 127.0.0.1', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    await ldap(shared, 'ldapmodify', modify(shared, 7, 'employeeType', 'terminated'));
    const refDn = `ou=remote,${shared.baseDn}`;
    await ldap(shared, 'ldapadd', `dn: ${refDn}\nobjectClass: referral\nobjectClass: extensibleObject\nou: remote\nref: ldap://127.0.0.1:1/ou=remote,dc=example,dc=com\n\n`, ['-M']);
    try {
      const before = dump(ctx.app.store.db);
      const r = await sync(ctx);
      expectEnded(ctx, r, 'failed', 'REFERRAL');
      expect(r.error?.message).toContain('ldap://127.0.0.1:1/');
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await ldap(shared, 'ldapdelete', `${refDn}\n`, ['-M']);
      await ldap(shared, 'ldapmodify', modify(shared, 7, 'employeeType', userAttributes(7).employeeType));
    }
  });
});

describe('the deactivation limits hold a plan for review (defaults 10% / 500 / 50%)', () => {
  // 150 of 1200 entries deleted: 12.5% of the managed users, over the default 10%.
  const DELETED = 150;

  async function heldRun(ctx: Ctx): Promise<RunSummary> {
    await deleteUsers(shared, 1, DELETED);
    const r = await sync(ctx);
    expect(r.status).toBe('held');
    return r;
  }

  it('holds the plan (nothing changed), then approve applies exactly that plan', async () => {
    const ctx = await openCtx(shared);
    expect(ctx.app.sync.settings().deactivationLimit).toEqual({ percent: 10, count: 500, dropPercent: 50 });
    await syncApplied(ctx);
    insertDevice(ctx.app.store.db, ctx.app.directory.findUser('user00001')!.id, 'laptop');
    const before = dump(ctx.app.store.db);
    try {
      const held = await heldRun(ctx);
      expect(held.heldReason).toContain(`it would deactivate 12.5% of the 1200 managed users, more than 10%`);
      expect(held.heldReason).not.toContain('limit of 500');
      expect(held.counts).toMatchObject({ deactivated: DELETED, created: 0, errors: 0 });
      expect(held.entries).toBe(1200 - DELETED);
      expect(held.error).toBeNull();
      expect(lockHolder(ctx.app.store.db)).toBeUndefined();
      expect(dump(ctx.app.store.db)).toEqual(before);
      const plan = [...ctx.app.sync.allChanges(held.id)];
      expect(plan).toHaveLength(DELETED);
      expect(plan.every((c) => c.action === 'deactivate' && c.reason === 'Not returned by the search')).toBe(true);
      expect(plan.map((c) => c.username).sort()).toEqual(Array.from({ length: DELETED }, (_, k) => userUid(k + 1)));

      const applied = await ctx.app.sync.approve(held.id, { trigger: 'cli' });
      expect(applied).toMatchObject({ status: 'applied', kind: 'sync', trigger: 'cli', relatedRunId: held.id, error: null, entries: held.entries });
      expect(applied.counts).toEqual(held.counts);
      expect([...ctx.app.sync.allChanges(applied.id)]).toEqual(plan);
      expect(ctx.app.sync.get(held.id)).toMatchObject({ status: 'approved', relatedRunId: applied.id });
      expect(applied).toMatchObject({ managedAfter: 1200, activeAfter: 1200 - DELETED });
      expect(ctx.app.directory.findUser('user00001')).toMatchObject({ active: false, deactivatedBy: 'sync', deactivatedReason: 'Not returned by the search', activeDevices: 0 });
      expect(ctx.app.directory.findUser(userUid(DELETED + 1))).toMatchObject({ active: true });
      // Only the planned users changed.
      const after = dump(ctx.app.store.db);
      const changed = (after.users as { id: string; username: string }[]).filter((u, i) => JSON.stringify(u) !== JSON.stringify(before.users[i])).map((u) => u.username);
      expect(changed.sort()).toEqual(plan.map((c) => c.username).sort());
      // Approving twice is refused.
      await expect(ctx.app.sync.approve(held.id, { trigger: 'cli' })).rejects.toMatchObject({ code: 'CONFLICT' });
      // A re-sync now has nothing to do.
      const again = await syncApplied(ctx);
      expect(again.counts).toEqual({ deactivated: 0, reactivated: 0, created: 0, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 });
    } finally {
      await restoreUsers(shared, 1, DELETED);
    }
  });

  it('discard drops the held plan: nothing changed, and it can no longer be approved', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    const before = dump(ctx.app.store.db);
    try {
      const held = await heldRun(ctx);
      const d = ctx.app.sync.discard(held.id);
      expect(d.status).toBe('discarded');
      expect(ctx.app.sync.overview().servers[0].held).toBeNull();
      await expect(ctx.app.sync.approve(held.id, { trigger: 'cli' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(() => ctx.app.sync.discard(held.id)).toThrow(AppError);
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await restoreUsers(shared, 1, DELETED);
    }
  });

  it('a newer held plan replaces the older one (discarded)', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    const before = dump(ctx.app.store.db);
    try {
      const first = await heldRun(ctx);
      const second = await sync(ctx);
      expect(second.status).toBe('held');
      expect(ctx.app.sync.get(first.id)).toMatchObject({ status: 'discarded', relatedRunId: second.id });
      expect(ctx.app.sync.overview().servers[0].held?.id).toBe(second.id);
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await restoreUsers(shared, 1, DELETED);
    }
  });

  it('a held plan made stale by a later applied sync: approve throws STALE_PLAN and changes nothing', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    let held: RunSummary;
    try {
      held = await heldRun(ctx);
    } finally {
      await restoreUsers(shared, 1, DELETED);
    }
    // The entries are back: this sync applies (nothing to deactivate) after the held plan.
    const later = await syncApplied(ctx);
    expect(later.counts.deactivated).toBe(0);
    const before = dump(ctx.app.store.db);
    const err = await ctx.app.sync.approve(held.id, { trigger: 'cli' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'STALE_PLAN' });
    expect((err as Error).message).toContain(later.id);
    expect(ctx.app.sync.get(held.id).status).toBe('held');
    expect(lockHolder(ctx.app.store.db)).toBeUndefined();
    expect(dump(ctx.app.store.db)).toEqual(before);
    expect(ctx.app.directory.findUser('user00001')?.active).toBe(true);
  });

  it.each([
    { limit: 'count', settings: { percent: 100, count: 100, dropPercent: 100 }, reason: 'it would deactivate 150 users, more than the limit of 100' },
    { limit: 'dropPercent', settings: { percent: 100, count: 1_000_000, dropPercent: 10 }, reason: 'the search returned 1050 entries, 12.5% fewer than the 1200 of the last sync (limit 10%)' },
  ])('the $limit limit alone holds the plan', async ({ settings, reason }) => {
    const ctx = await openCtx(shared);
    ctx.app.sync.saveSettings({ ...ctx.app.sync.settings(), deactivationLimit: settings });
    await syncApplied(ctx);
    const before = dump(ctx.app.store.db);
    try {
      const held = await heldRun(ctx);
      expect(held.heldReason).toContain(reason);
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await restoreUsers(shared, 1, DELETED);
    }
  });
});

describe('kill -9 inside the apply transaction', () => {
  it('leaves the store as it was (integrity ok), the run shows as interrupted and the lock is free', async () => {
    const slapd = await startSlapd({ users: 5000, logOps: false });
    try {
      // Before: the staff third of the directory is synced (1666 users), one with a device.
      const ctx = await openCtx(slapd, { searchFilter: STAFF_FILTER });
      const first = await syncApplied(ctx);
      expect(first.counts.created).toBe(1666);
      insertDevice(ctx.app.store.db, ctx.app.directory.findUser('user00003')!.id, 'laptop');
      // The killed run creates the other 3334 and moves one user.
      await ctx.app.servers.update(ctx.server.id, corpDraft(slapd), { kind: 'keep' });
      await ldap(slapd, 'ldapmodify', modify(slapd, 3, 'departmentNumber', 'D109'));
      const before = dump(ctx.app.store.db);
      ctx.app.close(); // the child has the store to itself

      const runId = randomUUID();
      const child = startChild(ctx, ctx.server.id, 'sync', runId, { SYNC_CHILD_APPLY_PAUSE_MS: '60000' });
      await child.until(() => PAUSE_LINE.test(child.stderr), 60_000);
      expect(child.events.some((e) => e.event === 'progress' && e.phase === 'applying')).toBe(true);
      child.proc.kill('SIGKILL');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });

      const app = reopen(ctx);
      const db = app.store.db;
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(dump(db)).toEqual(before);
      expect(countUsers(db)).toBe(1666);
      const r = app.sync.get(runId);
      expect(r).toMatchObject({ status: 'interrupted', kind: 'sync', trigger: 'cli' });
      expect(r.error?.code).toBe('CANCELLED');
      expect(r.error?.message).toMatch(/interrupted.*nothing was changed/i);
      expect([...app.sync.allChanges(runId)]).toEqual([]);
      expect(lockHolder(db)).toBeUndefined();
      // The lock is free: a new sync applies the whole plan.
      const next = await syncApplied(ctx);
      expect(next.counts).toMatchObject({ created: 3334, moved: 1, errors: 0 });
      expect(countUsers(db)).toBe(5000);
      expect(app.directory.findUser('user00003')).toMatchObject({ orgName: 'Dept D109', activeDevices: 1 });
    } finally {
      await slapd.stop();
    }
  }, 120_000);
});

describe('one run at a time', () => {
  it('in one process: a second run while one is in progress throws BUSY; the first applies', async () => {
    const ctx = await openCtx(shared);
    const first = ctx.app.sync.run({ serverId: ctx.server.id, mode: 'sync', trigger: 'manual' });
    const second = ctx.app.sync.run({ serverId: ctx.server.id, mode: 'simulate', trigger: 'manual' });
    const err = await second.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'BUSY' });
    expect((err as Error).message).toMatch(/a sync of "Corp" started at .* by this app is still running/);
    const r = await first;
    expect(r.status).toBe('applied');
    expect(r.counts.created).toBe(1200);
    // The refused run left no record; approve is refused the same way while a run holds the lock.
    expect(ctx.app.sync.history({ serverId: null, status: null, offset: 0, limit: 10 }).total).toBe(1);
    const third = await sync(ctx, 'simulate');
    expect(third.status).toBe('simulated');
  });

  it('across processes: a child waiting on a silent directory holds the lock; our run throws BUSY naming it', async () => {
    const hang: HangListener = await startHangListener();
    try {
      const ctx = await openCtx(shared);
      const hung = await ctx.app.servers.create(
        { ...rigDraft(shared), name: 'Silent', url: `${hang.url}/${shared.baseDn}`, timeoutSeconds: 60, createUsers: true },
        { kind: 'env', name: 'SYNC_PW' },
      );
      await syncApplied(ctx);
      const before = dump(ctx.app.store.db);
      const runId = randomUUID();
      const child = startChild(ctx, hung.id, 'sync', runId);
      await child.until(() => child.events.some((e) => e.event === 'progress' && e.phase === 'connecting'));
      expect(ctx.app.sync.overview().running).toMatchObject({ runId, serverId: hung.id, kind: 'sync', pid: child.proc.pid });
      const err = await sync(ctx).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'BUSY' });
      expect((err as Error).message).toContain(`a sync of "Silent"`);
      expect((err as Error).message).toContain(`by process ${child.proc.pid}`);
      expect(dump(ctx.app.store.db)).toEqual(before);
      // The holder dies: the next run takes the lock over and records the dead run as interrupted.
      child.proc.kill('SIGKILL');
      await child.exited;
      const r = await syncApplied(ctx);
      expect(r.status).toBe('applied');
      const dead = ctx.app.sync.get(runId);
      expect(dead.status).toBe('interrupted');
      // Same record as recoverInterruptedRuns writes when a store is opened after a crash.
      expect(dead.error?.code).toBe('CANCELLED');
      expect(dead.finishedAt).not.toBeNull();
    } finally {
      await hang.close();
    }
  });

  it('across processes: a child paused inside its apply transaction; our run throws BUSY naming it at once (not SQLITE_BUSY)', async () => {
    const ctx = await openCtx(shared);
    const runId = randomUUID();
    const child = startChild(ctx, ctx.server.id, 'sync', runId, { SYNC_CHILD_APPLY_PAUSE_MS: '30000' });
    await child.until(() => PAUSE_LINE.test(child.stderr), 60_000);
    const started = performance.now();
    const err = await ctx.app.sync.run({ serverId: ctx.server.id, mode: 'simulate', trigger: 'manual' }).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect({ code: (err as { code?: unknown }).code, message: (err as Error).message }).toMatchObject({ code: 'BUSY', message: expect.stringContaining(`by process ${child.proc.pid}`) });
    expect(err).toBeInstanceOf(AppError);
    expect(waited).toBeLessThan(2000);
    child.proc.kill('SIGKILL');
    await child.exited;
  }, 60_000);

  it('opening the store while another process is inside its apply transaction works at once', async () => {
    const ctx = await openCtx(shared);
    const runId = randomUUID();
    const child = startChild(ctx, ctx.server.id, 'sync', runId, { SYNC_CHILD_APPLY_PAUSE_MS: '30000' });
    await child.until(() => PAUSE_LINE.test(child.stderr), 60_000);
    const started = performance.now();
    let opened: AppContext | undefined;
    let error: unknown;
    try {
      opened = createAppContext({ dbPath: ctx.dbPath, keychain: keychain(), env: ctx.env });
    } catch (e) {
      error = e;
    }
    const waited = performance.now() - started;
    try {
      // On failure, shows the error with the app frames that threw it.
      const where = error instanceof Error ? (error.stack ?? '').split('\n').filter((l) => l.includes('src-main')).map((l) => l.trim()).join(' < ') : '';
      expect(error === undefined ? null : `${String(error)} at ${where}`).toBeNull();
      expect(waited).toBeLessThan(2000);
      expect(opened!.sync.overview().running).toMatchObject({ runId, pid: child.proc.pid });
    } finally {
      opened?.close();
      child.proc.kill('SIGKILL');
      await child.exited;
    }
  }, 60_000);
});

describe('cancel', () => {
  it('an AbortSignal fired after the first page: cancelled, nothing changed', async () => {
    const ctx = await openCtx(shared);
    await syncApplied(ctx);
    await ldap(shared, 'ldapmodify', modify(shared, 9, 'employeeType', 'terminated') + modify(shared, 10, 'departmentNumber', 'D105'));
    try {
      const before = dump(ctx.app.store.db);
      const abort = new AbortController();
      const r = await ctx.app.sync.run({
        serverId: ctx.server.id,
        mode: 'sync',
        trigger: 'manual',
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === 'reading' && p.pages === 1) abort.abort();
        },
      });
      expectEnded(ctx, r, 'cancelled', 'CANCELLED');
      expect(dump(ctx.app.store.db)).toEqual(before);
    } finally {
      await ldap(shared, 'ldapmodify', modify(shared, 9, 'employeeType', userAttributes(9).employeeType) + modify(shared, 10, 'departmentNumber', userAttributes(10).departmentNumber));
    }
  });

  it('a cancel while the plan is made (its apply already streaming to the worker): cancelled, nothing changed, the lock free', async () => {
    const ctx = await openCtx(shared);
    const before = dump(ctx.app.store.db);
    const abort = new AbortController();
    const r = await ctx.app.sync.run({
      serverId: ctx.server.id,
      mode: 'sync',
      trigger: 'manual',
      signal: abort.signal,
      onProgress: (p) => {
        if (p.phase === 'planning') abort.abort();
      },
    });
    expectEnded(ctx, r, 'cancelled', 'CANCELLED');
    expect(dump(ctx.app.store.db)).toEqual(before);
    expect([...ctx.app.sync.allChanges(r.id)]).toEqual([]);
    // The worker's transaction is gone with it: the next sync applies the whole plan.
    const next = await syncApplied(ctx);
    expect(next.counts.created).toBeGreaterThan(1000);
    expect([...ctx.app.sync.allChanges(next.id)].length).toBe(next.counts.created + next.counts.errors);
  });

  it('SyncService.cancel(runId) after the first page: cancelled, nothing changed', async () => {
    const ctx = await openCtx(shared);
    const before = dump(ctx.app.store.db);
    const runId = randomUUID();
    let cancelled: boolean | undefined;
    const r = await ctx.app.sync.run({
      serverId: ctx.server.id,
      mode: 'sync',
      trigger: 'manual',
      runId,
      onProgress: (p) => {
        if (p.phase === 'reading' && p.pages === 1) cancelled = ctx.app.sync.cancel(runId);
      },
    });
    expect(cancelled).toBe(true);
    expect(r.id).toBe(runId);
    expectEnded(ctx, r, 'cancelled', 'CANCELLED');
    expect(dump(ctx.app.store.db)).toEqual(before);
    expect(ctx.app.sync.cancel(runId)).toBe(false);
  });

  it('a cancel while the bind hangs ends the run at once (not at the timeout)', async () => {
    const hang = await startHangListener();
    try {
      const ctx = await openCtx(shared, { url: `${hang.url}/${shared.baseDn}`, timeoutSeconds: 30 });
      const abort = new AbortController();
      const started = performance.now();
      const pending = ctx.app.sync.run({
        serverId: ctx.server.id,
        mode: 'sync',
        trigger: 'manual',
        signal: abort.signal,
        onProgress: (p) => {
          if (p.phase === 'connecting') setTimeout(() => abort.abort(), 300);
        },
      });
      const r = await pending;
      expect(performance.now() - started).toBeLessThan(3000);
      expectEnded(ctx, r, 'cancelled', 'CANCELLED');
      expect(countUsers(ctx.app.store.db)).toBe(0);
    } finally {
      await hang.close();
    }
  });
});
