import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { finishRun, startRun } from '../../src-main/store/runs-repo';
import { findServerByName } from '../../src-main/store/servers-repo';
import { startHangListener, type HangListener } from '../rig/hang-listener';
import { startSlapd, type Slapd } from '../rig/slapd';
import { runCliInProcess, runCliProcess, spawnCli, type Outcome } from './cli-runner';

/** The search filter of the CLI tests' servers. */
export const FILTER = '(&(objectClass=inetOrgPerson)(uid=?))';

/** How many of the generated users 1..`users` are staff (i % 3 == 0), contractors (1) or interns (2). */
export function generatedOfType(users: number, type: 'staff' | 'contractor' | 'intern'): number {
  const rem = { staff: 0, contractor: 1, intern: 2 }[type];
  return Array.from({ length: users }, (_, k) => k + 1).filter((i) => i % 3 === rem).length;
}

/**
 * A slapd with `users` generated users and a listener that accepts connections and never answers,
 * started before the file's tests and stopped after them; read its fields inside tests and hooks.
 */
export function cliDirectories(users: number): { slapd: Slapd; hang: HangListener } {
  const dirs = {} as { slapd: Slapd; hang: HangListener };
  beforeAll(async () => {
    [dirs.slapd, dirs.hang] = await Promise.all([startSlapd({ users, logOps: false }), startHangListener()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([dirs.slapd?.stop(), dirs.hang?.close()]);
  });
  return dirs;
}

/** A CLI run's stdout, parsed as JSON. */
export const json = (r: Outcome) => JSON.parse(r.stdout);

/**
 * A temp folder with its own store, and the CLI run against it (bound to `slapd`'s sync account):
 * `ldapSync` runs it in-process, `spawn` starts the built CLI as a child process to signal it.
 */
export async function cliWorkspace(prefix: string, slapd: Slapd) {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const env = (extra: Record<string, string>) => ({ ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), CORP_BIND_PASSWORD: slapd.syncPw, ...extra });
  return {
    dir,
    env,
    ldapSync: (args: string[], extra: Record<string, string> = {}): Promise<Outcome> => runCliInProcess(args, { cwd: dir, env: env(extra) }),
    /** Runs the built CLI (dist/cli) as a child process, for the smoke tests of the shipped bundle. */
    built: (args: string[], extra: Record<string, string> = {}): Promise<Outcome> => runCliProcess(args, { cwd: dir, env: env(extra) }),
    /** Starts the built CLI as a child process to signal it. */
    spawn: (args: string[]) => spawnCli(args, { cwd: dir, env: env({}) }),
    /** Writes `doc` as config.json and applies it; fails the test unless the apply succeeds silently. */
    async apply(doc: unknown): Promise<void> {
      await writeFile(path.join(dir, 'config.json'), JSON.stringify(doc, null, 2));
      const r = await runCliInProcess(['config', 'apply', 'config.json'], { cwd: dir, env: env({}) });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    },
    /**
     * Records that `serverName` had its first sync applied by hand `hoursAgo` hours ago (the schedule
     * runs a server only after that), for daemon tests whose directory never answers.
     */
    recordHandSync(serverName: string, hoursAgo = 48): void {
      const store = openStore(path.join(dir, 'store.sqlite'));
      try {
        const server = findServerByName(store.db, serverName)!;
        const at = new Date(Date.now() - hoursAgo * 3_600_000);
        const id = randomUUID();
        startRun(store.db, { id, serverId: server.id, serverName: server.name, kind: 'sync', trigger: 'manual' }, at);
        finishRun(store.db, id, { status: 'applied', entries: 0 }, at);
      } finally {
        store.close();
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Corp (on `slapd`) creates users in "Staff", which signs in with it; staff get the Desktop User
 * role; `active` decides who is active.
 */
export const corpConfig = (slapd: Slapd, active = 'function(entry) { return true; }') => ({
  servers: [
    {
      name: 'Corp',
      url: `${slapd.url}/${slapd.baseDn}`,
      bindDn: slapd.syncDn,
      bindPassword: { env: 'CORP_BIND_PASSWORD' },
      searchFilter: FILTER,
      createUsers: true,
      defaultOrg: 'Staff',
      scripts: { active, roleName: "function(entry) { return entry.employeeType == 'staff' ? ['Desktop User'] : []; }" },
    },
  ],
  organizations: [{ name: 'Staff', auth: { ldapServer: 'Corp' } }],
  roles: ['Desktop User'],
  sync: { every: '12h', deactivationLimit: { percent: 10, count: 500, dropPercent: 50 } },
});
