import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';

/** Output of a finished command. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  /** Text streamed to the child's stdin (with backpressure); stdin is closed afterwards. */
  input?: string | Iterable<string>;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the child and reject after this many milliseconds (default 30 s). */
  timeoutMs?: number;
}

/**
 * Runs a program with an argument vector (never through a shell) and resolves with its output.
 * Rejects with an error naming the command, exit status and stderr when it exits non-zero.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
      if (code === 0) return resolve(result);
      const status = signal ? `signal ${signal}` : `exit code ${code}`;
      reject(new Error(`${cmd} ${args.join(' ')} failed (${status}):\n${result.stderr || result.stdout}`));
    });
    child.stdin.on('error', () => {}); // the child may exit before reading its input
    const input = opts.input ?? '';
    if (typeof input === 'string') child.stdin.end(input);
    else Readable.from(input).on('error', reject).pipe(child.stdin);
  });
}
