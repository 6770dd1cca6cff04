import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Client } from 'ldapts';

/** A running foreground slapd child. */
export interface SlapdChild {
  child: ChildProcess;
  pid: number;
}

/**
 * Spawns `slapd -F <configDir> -h "<urls>" -d <level>` in the foreground (so the child pid is
 * slapd's own) with stderr going to `logFile`. `-d stats` (256) writes the per-operation lines;
 * `-d none` still prints errors such as `bind(6) failed errno=98` (`-d 0` would print nothing).
 */
export function spawnSlapd(configDir: string, urls: string[], logOps: boolean, logFile: string): SlapdChild {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('/usr/sbin/slapd', ['-F', configDir, '-h', urls.join(' '), '-d', logOps ? 'stats' : 'none'], {
      stdio: ['ignore', 'ignore', fd],
    });
    if (child.pid === undefined) throw new Error('slapd failed to spawn');
    child.on('error', () => {});
    child.unref(); // a forgotten stop() must not keep the test process alive; the exit hook kills it
    return { child, pid: child.pid };
  } finally {
    closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True once slapd answers a root DSE search on `url`. */
async function answers(url: string): Promise<boolean> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 1000 });
  try {
    await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['namingContexts'] });
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => {});
  }
}

/**
 * Polls the root DSE every 20 ms until slapd answers. Rejects when slapd exits first or after
 * `timeoutMs`, with slapd's stderr in the message.
 */
export async function waitForSlapd(s: SlapdChild, url: string, logFile: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      const how = s.child.exitCode !== null ? `exit code ${s.child.exitCode}` : s.child.signalCode;
      throw new Error(`slapd exited during startup (${how}):\n${await tail(logFile)}`);
    }
    if (await answers(url)) return;
    if (Date.now() > deadline) {
      throw new Error(`slapd did not answer on ${url} within ${timeoutMs} ms:\n${await tail(logFile)}`);
    }
    await sleep(20);
  }
}

/** Last lines of slapd's stderr log, for error messages. */
export async function tail(logFile: string, lines = 40): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').slice(-lines).join('\n');
}

/** SIGTERM (after SIGCONT, in case it is paused), then SIGKILL if still alive after `graceMs`. */
export async function terminate(s: SlapdChild, graceMs = 3000): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  s.child.ref(); // keep the event loop alive until the exit is observed
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGCONT');
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
