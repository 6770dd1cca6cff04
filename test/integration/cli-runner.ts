import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI launcher, run as a child process exactly as `npx ldap-sync` would. */
export const BIN = fileURLToPath(new URL('../../bin/ldap-sync.mjs', import.meta.url));

/** What a CLI run printed and how it exited (null: killed by a signal). */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI (or `cmd`, e.g. npm) with `args`; never rejects, the outcome says what happened. */
export function runCliProcess(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; cmd?: string[] }): Promise<Outcome> {
  const [file, ...pre] = opts.cmd ?? [process.execPath, BIN];
  return new Promise((resolve) => {
    execFile(file, [...pre, ...args], { cwd: opts.cwd, env: opts.env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}
