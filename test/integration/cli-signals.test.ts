import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from './cli-runner';
import { cliDirectories, cliWorkspace, corpConfig, json } from './cli-workspace';

const dirs = cliDirectories(30);

/**
 * An Active script that hangs in one native call on every entry (indexOf of a 1 MB needle in a
 * 2 MB string made from the entry's uid): QuickJS's interrupt handler never sees it. With a 60 s
 * time limit, the run is certainly in the middle of a script when the signal comes.
 */
const HANG = "function(entry) { const s = String(entry.uid).repeat(400000); return s.indexOf(s.slice(0, 1000000) + 'x') < 0; }";
const LONG_LIMIT = { LDAP_SYNC_SCRIPT_TIME_MS: '60000' };
/** Generous: before the script worker, the CLI ignored these signals for minutes. */
const EXITS_WITHIN_MS = 10_000;
/** Reading 30 entries from a local slapd takes milliseconds: by then the script is running. */
const SCRIPT_RUNNING_AFTER_MS = 1500;

// Each test spawns the CLI a few times against slapd: allow for a busy machine.
const SLOW = { timeout: 120_000 };

/** Starts the built CLI, sends `signal` once `marker` appeared and the script had time to start; how it ended. */
async function signalledMidScript(child: ChildProcessWithoutNullStreams, marker: RegExp, signal: NodeJS.Signals) {
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  const onOutput = () => {
    if (signalledAt || !marker.test(stdout + stderr)) return;
    signalledAt = -1;
    setTimeout(() => {
      signalledAt = performance.now();
      child.kill(signal);
    }, SCRIPT_RUNNING_AFTER_MS);
  };
  child.stdout.on('data', (b: Buffer) => {
    stdout += b.toString();
    onOutput();
  });
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    onOutput();
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr, exitMs: performance.now() - signalledAt };
}

describe('signals while a script hangs in a native built-in', SLOW, () => {
  let ws: Awaited<ReturnType<typeof cliWorkspace>>;
  let usersBefore: unknown;
  beforeAll(async () => {
    ws = await cliWorkspace('lss-cli-signals-', dirs.slapd);
    await ws.apply(corpConfig(dirs.slapd));
    expect((await ws.ldapSync(['sync', 'Corp', '--json'])).code).toBe(0);
    usersBefore = json(await ws.ldapSync(['users', '--json']));
    expect(usersBefore).toHaveLength(30);
    await ws.apply(corpConfig(dirs.slapd, HANG));
  });
  afterAll(async () => {
    await ws?.remove();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`ldap-sync sync stops on ${signal} mid-script, exits 130 and applies nothing`, async () => {
      const child = spawnCli(['sync', 'Corp', '--progress'], { cwd: ws.dir, env: ws.env(LONG_LIMIT) });
      const r = await signalledMidScript(child, /Connecting to the directory/, signal);
      console.log(`sync, ${signal} during a hanging script: exited ${Math.round(r.exitMs)} ms after the signal`);
      expect(r.code).toBe(130);
      expect(r.exitMs).toBeLessThan(EXITS_WITHIN_MS);
      expect(r.stdout).toMatch(/Cancelled the sync of "Corp": nothing was changed/);
      expect(json(await ws.ldapSync(['history', '--json'])).runs[0]).toMatchObject({ kind: 'sync', status: 'cancelled' });
      expect(json(await ws.ldapSync(['users', '--json']))).toEqual(usersBefore);
    });
  }

  it('ldap-sync daemon stops cleanly on SIGTERM mid-script: exit 0, the run cancelled, nothing applied', async () => {
    // A first sync by hand two days ago: the daemon's run is due at once.
    const fresh = await cliWorkspace('lss-cli-signals-daemon-', dirs.slapd);
    try {
      await fresh.apply(corpConfig(dirs.slapd, HANG));
      fresh.recordHandSync('Corp');
      const child = spawnCli(['daemon'], { cwd: fresh.dir, env: fresh.env(LONG_LIMIT) });
      const r = await signalledMidScript(child, /Corp: sync started/, 'SIGTERM');
      console.log(`daemon, SIGTERM during a hanging script: exited ${Math.round(r.exitMs)} ms after the signal`);
      expect(r.code).toBe(0);
      expect(r.exitMs).toBeLessThan(EXITS_WITHIN_MS);
      expect(r.stdout).toMatch(/ Corp: sync cancelled in [\d.]+ s; .*CANCELLED: /);
      expect(r.stdout).toMatch(/ stopped\n$/);
      expect(json(await fresh.ldapSync(['history', '--json'])).runs[0]).toMatchObject({ serverName: 'Corp', trigger: 'schedule', status: 'cancelled' });
      expect(json(await fresh.ldapSync(['users', '--json']))).toEqual([]);
    } finally {
      await fresh.remove();
    }
  });
});
