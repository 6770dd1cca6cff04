import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliDirectories, cliWorkspace, corpConfig, FILTER, generatedOfType, json } from './cli-workspace';

const USERS = 120;
const INTERNS = generatedOfType(USERS, 'intern');
const STAFF = generatedOfType(USERS, 'staff');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const dirs = cliDirectories(USERS);

const workspace = (prefix: string) => cliWorkspace(prefix, dirs.slapd);

const config = (active?: string) => corpConfig(dirs.slapd, active);

/** A server whose directory accepts connections and never answers, managing "Waiting". */
const slowConfig = () => ({
  servers: [{ name: 'Slow', url: `${dirs.hang.url}/${dirs.slapd.baseDn}`, bindAnonymously: true, searchFilter: FILTER, timeoutSeconds: 120 }],
  organizations: [{ name: 'Waiting', auth: { ldapServer: 'Slow' } }],
});

interface UserJson {
  username: string;
  active: boolean;
  deactivatedBy: string | null;
  org: string;
  roles: string[];
  sourceServer: string | null;
  dn: string | null;
  directoryId: string | null;
}

// Each test runs several commands against slapd: allow for a busy machine.
const SLOW = { timeout: 120_000 };

describe('ldap-sync simulate, sync, users and history against a real directory', SLOW, () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  let appliedRunId: string;
  beforeAll(async () => {
    ws = await workspace('lss-cli-sync-');
    await ws.apply(config());
  });
  afterAll(() => ws?.remove());

  it('simulates as JSON: run id, status, counts, every change, no error, exit 0, nothing changed (the built CLI, spawned)', async () => {
    // Through the shipped bundle: its read and script workers, the store and its migrations from dist/cli.
    const r = await ws.built(['simulate', 'corp', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({
      runId: expect.stringMatching(UUID),
      server: 'Corp',
      kind: 'simulate',
      trigger: 'cli',
      status: 'simulated',
      entries: USERS,
      counts: { deactivated: 0, reactivated: 0, created: USERS, moved: 0, rolesChanged: 0, updated: 0, dnChanged: 0, reused: 0, errors: 0 },
      heldReason: null,
      approveCommand: null,
      error: null,
    });
    expect(out.changes).toHaveLength(USERS);
    expect(out.changes[0]).toEqual({ username: 'user00001', dn: dirs.slapd.userDn(1), action: 'create', to: 'Staff' });
    expect(out.changes.find((c: { username: string }) => c.username === 'user00003')).toMatchObject({ action: 'create', to: 'Staff', reason: 'roles: Desktop User' });
    expect(json(await ws.ldapSync(['users', '--json']))).toEqual([]);
  });

  it('prints a text summary with the first 50 changes, and progress on stderr with --progress', async () => {
    const r = await ws.ldapSync(['simulate', 'Corp', '--progress']);
    expect(r.code).toBe(0);
    const id = /\(run ([0-9a-f-]{36})\)/.exec(r.stdout)![1];
    expect(r.stdout).toContain(`Simulated "Corp": nothing was changed (run ${id}).\n`);
    expect(r.stdout).toContain(`  Changes: 0 deactivated, 0 reactivated, ${USERS} created, 0 moved, 0 roles changed, 0 updated, 0 errors\n`);
    expect(r.stdout).toContain(`First 50 of ${USERS} changes:\nACTION`);
    expect(r.stdout).toMatch(/^Create +user00001 +– +Staff +–$/m);
    expect(r.stdout).toContain(`... and ${USERS - 50} more (ldap-sync history show ${id})\n`);
    expect(r.stderr).toContain('Connecting to the directory…\n');
    expect(r.stderr).toMatch(new RegExp(`Reading: page 1, ${USERS} entries`));
  });

  it('synchronizes: creates the users with their organization, roles, source server, DN and directory id', async () => {
    const r = await ws.ldapSync(['sync', 'Corp', '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out).toMatchObject({ kind: 'sync', status: 'applied', managedBefore: 0, managedAfter: USERS, activeAfter: USERS, counts: { created: USERS, deactivated: 0 }, error: null });
    const [listed, text] = await Promise.all([ws.ldapSync(['users', '--json']), ws.ldapSync(['users'])]);
    const users: UserJson[] = json(listed);
    expect(users).toHaveLength(USERS);
    expect(users[0]).toMatchObject({ username: 'user00001', active: true, org: 'Staff', roles: [], sourceServer: 'Corp', dn: dirs.slapd.userDn(1), directoryId: expect.stringMatching(/^entryUUID:[0-9a-f-]{36}$/) });
    expect(users.filter((u) => u.roles.includes('Desktop User'))).toHaveLength(STAFF);

    expect(text.stdout.split('\n')[0]).toMatch(/^USERNAME\s+EMAIL\s+FIRST NAME\s+LAST NAME\s+ORG\s+ROLES\s+ACTIVE\s+SOURCE\s+DN\s+DIRECTORY ID\s+DEACTIVATED$/);
    expect(text.stdout).toContain(`${USERS} users, ${USERS} active\n`);

    // Nothing left to do.
    const again = json(await ws.ldapSync(['sync', 'Corp', '--json']));
    expect(again).toMatchObject({ status: 'applied', counts: { created: 0, deactivated: 0, updated: 0 }, changes: [] });
  });

  it('holds a sync over the deactivation limit (exit 3) and applies exactly that plan with --approve', async () => {
    await ws.apply(config("function(entry) { return entry.employeeType != 'intern'; }"));
    const held = await ws.ldapSync(['sync', 'Corp']);
    expect(held.code).toBe(3);
    const id = /\(run ([0-9a-f-]{36})\)/.exec(held.stdout)![1];
    expect(held.stdout).toContain(`Held the sync of "Corp" for approval: nothing was changed (run ${id}).`);
    expect(held.stdout).toMatch(/Held for review: .*deactivate .*more than 10%/);
    expect(held.stdout).toContain(`To apply exactly this plan, run:\n  ldap-sync sync Corp --approve ${id}\n`);
    const [users, heldRun, wrongServer] = await Promise.all([
      ws.ldapSync(['users', '--json']).then((r) => json(r) as UserJson[]),
      ws.ldapSync(['history', 'show', id, '--json']).then(json),
      ws.ldapSync(['sync', 'Nope', '--approve', id]),
    ]);
    expect(users.every((u) => u.active)).toBe(true);
    expect(heldRun).toMatchObject({ runId: id, status: 'held', approveCommand: `ldap-sync sync Corp --approve ${id}`, counts: { deactivated: INTERNS } });
    expect(wrongServer.code).toBe(1);

    const approved = await ws.ldapSync(['sync', 'corp', '--approve', id, '--json']);
    expect(approved.code).toBe(0);
    const out = json(approved);
    expect(out).toMatchObject({ status: 'applied', trigger: 'approve', relatedRunId: id, counts: { deactivated: INTERNS } });
    expect(out.changes).toHaveLength(INTERNS);
    expect(out.changes.every((c: { action: string; reason: string }) => c.action === 'deactivate' && c.reason === 'Active script returned false')).toBe(true);
    appliedRunId = out.runId;
    const [after, approvedRun, twice] = await Promise.all([
      ws.ldapSync(['users', '--json']).then((r) => json(r) as UserJson[]),
      ws.ldapSync(['history', 'show', id, '--json']).then(json),
      ws.ldapSync(['sync', 'Corp', '--approve', id, '--json']),
    ]);
    expect(after.filter((u) => !u.active)).toHaveLength(INTERNS);
    expect(approvedRun.status).toBe('approved');
    expect(twice.code).toBe(1);
    expect(json(twice).error.code).toBe('CONFLICT');
  });

  it('never reactivates a user an admin deactivated, while it reactivates those the sync deactivated', async () => {
    const off = await ws.ldapSync(['users', 'deactivate', 'USER00001']);
    expect(off.code).toBe(0);
    expect(off.stdout).toContain('Deactivated user00001 (and their devices). A sync will not reactivate them');
    await ws.apply(config());
    const r = await ws.ldapSync(['sync', 'Corp', '--json']);
    expect(r.code).toBe(0);
    const out = json(r);
    expect(out.counts).toMatchObject({ reactivated: INTERNS, deactivated: 0 });
    expect(out.changes.map((c: { username: string }) => c.username)).not.toContain('user00001');
    const users: UserJson[] = json(await ws.ldapSync(['users', '--json']));
    expect(users.filter((u) => !u.active).map((u) => [u.username, u.deactivatedBy])).toEqual([['user00001', 'admin']]);

    const on = await ws.ldapSync(['users', 'reactivate', 'user00001', '--json']);
    expect(on.code).toBe(0);
    expect(json(on)).toMatchObject({ username: 'user00001', active: true, changed: true });
    const missing = await ws.ldapSync(['users', 'deactivate', 'nobody']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No user is named "nobody"/);
  });

  it('lists runs and shows one with all its changes as text, JSON or CSV', async () => {
    const [listed, text, csv, shown, both, missing, badLimit] = await Promise.all([
      ws.ldapSync(['history', '--json', '--server', 'CORP', '--limit', '3']),
      ws.ldapSync(['history', '--limit', '2']),
      ws.ldapSync(['history', 'show', appliedRunId, '--csv']),
      ws.ldapSync(['history', 'show', appliedRunId]),
      ws.ldapSync(['history', 'show', appliedRunId, '--csv', '--json']),
      ws.ldapSync(['history', 'show', 'no-such-run']),
      ws.ldapSync(['history', '--limit', '0']),
    ]);
    const list = json(listed);
    expect(list.total).toBeGreaterThanOrEqual(6);
    expect(list.runs).toHaveLength(3);
    expect(list.runs[0]).toMatchObject({ serverName: 'Corp', kind: 'sync', status: 'applied' });

    expect(text.stdout.split('\n')[0]).toMatch(/^RUN ID\s+STARTED\s+SERVER\s+KIND\s+TRIGGER\s+STATUS\s+ENTRIES\s+DURATION\s+CHANGES$/);
    expect(text.stdout).toMatch(/Showing the latest 2 of \d+ runs; --limit N shows more\./);

    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\r\n');
    expect(lines[0]).toBe('seq,username,action,from,to,reason,dn');
    expect(lines).toHaveLength(INTERNS + 1);
    expect(lines[1]).toMatch(/^0,user\d{5},deactivate,,,Active script returned false,"?uid=user\d{5},ou=people,dc=example,dc=com"?$/);

    expect(shown.stdout).toContain(`Changes (${INTERNS}):`);
    expect(shown.stdout).not.toContain('more (ldap-sync history show');

    expect(both.code).toBe(2);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No run has the id "no-such-run"/);
    expect(badLimit.code).toBe(2);
  });

  it('fails with exit 1, the error and its fix when the bind password is wrong, changing nothing', async () => {
    const before = json(await ws.ldapSync(['users', '--json']));
    const r = await ws.ldapSync(['sync', 'Corp', '--json'], { CORP_BIND_PASSWORD: 'wrong' });
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ status: 'failed', error: { code: 'INVALID_CREDENTIALS' }, changes: [] });
    const text = await ws.ldapSync(['simulate', 'Corp'], { CORP_BIND_PASSWORD: 'wrong' });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/The simulation of "Corp" failed: nothing was changed/);
    expect(text.stdout).toMatch(/Error \(INVALID_CREDENTIALS\): .*invalid credentials/i);
    expect(text.stdout).toContain('Fix: check the bind DN and password (a "bindPassword" reference in a config file, or the app), then: ldap-sync server test Corp');
    expect(json(await ws.ldapSync(['users', '--json']))).toEqual(before);
  });
});

describe('ldap-sync daemon', SLOW, () => {
  it('--once runs what is due, logs its start and end, and then finds nothing due', async () => {
    const ws = await workspace('lss-cli-daemon-');
    try {
      await ws.apply(config());
      // A new server is never synchronized first by the schedule: the daemon says what it waits for.
      const waiting = await ws.ldapSync(['daemon', '--once']);
      expect(waiting.code).toBe(0);
      expect(waiting.stdout).toMatch(/ Corp: not scheduled: Waits for a first sync by hand: simulate, then Synchronize now \(or ldap-sync sync "Corp"\)/);
      expect(json(await ws.ldapSync(['users', '--json']))).toEqual([]);

      // Its first sync was run by hand two days ago: now the schedule runs it.
      ws.recordHandSync('Corp');
      const r = await ws.ldapSync(['daemon', '--once']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/ ldap-sync daemon --once: store .*store\.sqlite, schedule every 12 hours\n/);
      expect(r.stdout).toMatch(/ Corp: sync started \(run [0-9a-f-]{36}, scheduled\)\n/);
      expect(r.stdout).toMatch(new RegExp(` Corp: sync applied in [\\d.]+ s, ${USERS} entries; 0 deactivated, 0 reactivated, ${USERS} created, 0 moved, 0 roles changed, 0 updated, 0 errors \\(run [0-9a-f-]{36}\\)\\n`));
      expect(json(await ws.ldapSync(['users', '--json']))).toHaveLength(USERS);
      expect(json(await ws.ldapSync(['history', '--json'])).runs[0]).toMatchObject({ trigger: 'schedule', status: 'applied' });

      const again = await ws.ldapSync(['daemon', '--once']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/ Corp: next sync \d{4}-/);
      expect(again.stdout).toMatch(/ nothing is due now\n$/);
    } finally {
      await ws.remove();
    }
  });

  it('runs until SIGTERM, then cancels the run in progress cleanly and exits 0', async () => {
    const ws = await workspace('lss-cli-daemon-stop-');
    try {
      await ws.apply(slowConfig());
      ws.recordHandSync('Slow');
      const child = ws.spawn(['daemon']);
      let stdout = '';
      let signalledAt = 0;
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (!signalledAt && stdout.includes('Slow: sync started')) {
          signalledAt = Date.now();
          child.kill('SIGTERM');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(0);
      // The directory never answers: only cancelling the run ends it this soon (its timeout is 120 s).
      expect(Date.now() - signalledAt).toBeLessThan(15_000);
      expect(stdout).toMatch(/ Slow: sync cancelled in [\d.]+ s; .*CANCELLED: /);
      expect(stdout).toMatch(/ stopped\n$/);
      expect(json(await ws.ldapSync(['history', '--json'])).runs[0]).toMatchObject({ serverName: 'Slow', trigger: 'schedule', status: 'cancelled' });
    } finally {
      await ws.remove();
    }
  });
});

describe('cancelling ldap-sync simulate', SLOW, () => {
  it('stops on Ctrl+C through the run\'s signal, exits 130 and records the run as cancelled', async () => {
    const ws = await workspace('lss-cli-sync-cancel-');
    try {
      await ws.apply(slowConfig());
      const child = ws.spawn(['simulate', 'Slow', '--progress']);
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stdout.on('data', (b: Buffer) => void (stdout += b.toString()));
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (!interrupted && stderr.includes('Connecting to the directory')) {
          interrupted = true;
          // Give the reader a moment to send its bind, then press Ctrl+C once.
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(130);
      expect(stdout).toMatch(/Cancelled the simulation of "Slow": nothing was changed \(run [0-9a-f-]{36}\)\./);
      expect(json(await ws.ldapSync(['history', '--json'])).runs[0]).toMatchObject({ kind: 'simulate', status: 'cancelled' });
    } finally {
      await ws.remove();
    }
  });
});
