import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';

/** Something to tear down synchronously if the test process exits without stopping it. */
interface Leftover {
  pids: number[];
  dirs: string[];
}

const leftovers = new Set<Leftover>();
let hooked = false;

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function onExit(): void {
  for (const l of leftovers) {
    for (const pid of l.pids) {
      killQuietly(pid, 'SIGCONT');
      killQuietly(pid, 'SIGKILL');
    }
    for (const dir of l.dirs) rmSync(dir, { recursive: true, force: true });
  }
  leftovers.clear();
}

/**
 * Starts a detached `sh` that blocks reading a pipe from this process. If this process dies in
 * any way (even SIGKILL) the pipe closes, and the watchdog SIGKILLs `pids` and removes `dir`.
 * Returns the watchdog's pid; kill it (SIGTERM) when the resources were released normally.
 */
function spawnWatchdog(pids: number[], dir: string): number | undefined {
  const script = 'read -r _; d="$1"; shift; kill -CONT "$@" 2>/dev/null; kill -KILL "$@" 2>/dev/null; rm -rf "$d"';
  const child = spawn('sh', ['-c', script, 'lss-watchdog', dir, ...pids.map(String)], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => {});
  (child.stdin as Socket).on('error', () => {});
  (child.stdin as Socket).unref();
  child.unref();
  return child.pid;
}

/**
 * Registers processes and a directory to be killed/removed when this process exits (the
 * 'exit' hook) or dies (a watchdog process). Call the returned function after a normal stop.
 */
export function trackLeftovers(pids: number[], dir: string): () => void {
  if (!hooked) {
    process.once('exit', onExit);
    hooked = true;
  }
  const entry: Leftover = { pids, dirs: [dir] };
  leftovers.add(entry);
  const watchdog = spawnWatchdog(pids, dir);
  return () => {
    leftovers.delete(entry);
    if (watchdog !== undefined) killQuietly(watchdog, 'SIGTERM');
  };
}
