import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src-main/cli/run-cli';
import type { Keychain } from '../../src-main/secrets/keychain';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The CLI launcher, run as a child process exactly as `npx ldap-sync` would: it runs the bundle in dist/cli. */
export const BIN = join(ROOT, 'bin', 'ldap-sync.mjs');

/** What a CLI run printed and how it exited (null: killed by a signal). */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Where and how a CLI run happens. */
export interface RunOptions {
  /** The current folder: relative paths in `args` are resolved against it. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

// In-process runs change the process's current folder; one at a time keeps them from seeing each other's.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `ldap-sync args` inside this process through `runCli`, with the same io the real CLI gets
 * from main.ts (stdout, stderr, env, signal), captured as text. Runs are serialized: each one has
 * `cwd` as the current folder while it runs. The CLI reads nothing from stdin (secrets come from
 * the environment, files or the keychain), so there is no stdin to give it.
 */
export function runCliInProcess(args: string[], opts: RunOptions & { signal?: AbortSignal; keychain?: Keychain }): Promise<Outcome> {
  const run = queue.then(async (): Promise<Outcome> => {
    let stdout = '';
    let stderr = '';
    const before = process.cwd();
    process.chdir(opts.cwd);
    try {
      const code = await runCli(args, {
        stdout: (text) => void (stdout += text),
        // As main.ts gives stdout as a stream too: `snapshot export` streams its LDIF through it.
        stdoutStream: new Writable({
          write(chunk: Buffer | string, _encoding, done) {
            stdout += chunk.toString();
            done();
          },
        }),
        stderr: (text) => void (stderr += text),
        env: opts.env,
        signal: opts.signal,
        keychain: opts.keychain,
      });
      return { code, stdout, stderr };
    } finally {
      process.chdir(before);
    }
  });
  queue = run.catch(() => {});
  return run;
}

/**
 * Runs the built CLI (or `cmd`, e.g. npx) as a child process with `args`; never rejects, the
 * outcome says what happened. For the few smoke tests of the shipped bundle; logic is tested
 * in-process with {@link runCliInProcess}.
 */
export function runCliProcess(args: string[], opts: RunOptions & { cmd?: string[] }): Promise<Outcome> {
  assertCliBuilt();
  const [file, ...pre] = opts.cmd ?? [process.execPath, BIN];
  return new Promise((resolve) => {
    execFile(file, [...pre, ...args], { cwd: opts.cwd, env: opts.env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** Starts the built CLI as a child process, to signal it (Ctrl+C, SIGTERM) or read it as it runs. */
export function spawnCli(args: string[], opts: RunOptions): ChildProcessWithoutNullStreams {
  assertCliBuilt();
  return spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env });
}

/**
 * Refuses to spawn a CLI that is not built. Vitest's global setup (cli-build-setup.ts) rebuilds
 * dist/cli before the tests whenever a source is newer than it.
 */
export function assertCliBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'ldap-sync.js'))) {
    throw new Error('The CLI is not built (dist/cli/ldap-sync.js is missing; see the build errors above): run npm run build:cli.');
  }
}
