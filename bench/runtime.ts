import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Keychain } from '../src-main/secrets/keychain';

/** One line describing the machine, printed by every bench so figures can be compared. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown cpu'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, node ${process.version}, ${os.platform()} ${os.release()}`;
}

/**
 * V8's full garbage collection, exposed at run time (tsx gives no way to pass --expose-gc from
 * package.json); a no-op where it cannot be had, so runs are then measured without one.
 */
export function collector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const fn = runInNewContext('gc') as (() => void) | undefined;
    if (typeof fn === 'function') return fn;
  } catch {
    // not available
  }
  return () => {};
}

/** Runs a bench's main and exits with its status (1 with the stack on an error). */
export function runBench(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : err);
      process.exit(1);
    },
  );
}

export const MB = 1024 * 1024;

/** The median of `xs` (the mean of the two middle values for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A text table: the first column left-aligned, the others right-aligned, a dashed rule under the header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Samples process RSS every 50 ms while `fn` runs (after a full GC through `gc`); returns fn's
 * result and the peak RSS growth.
 */
export async function withRssSampling<T>(gc: () => void, fn: () => Promise<T>): Promise<{ value: T; peakDeltaBytes: number; baseBytes: number }> {
  gc();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    sample();
    return { value, peakDeltaBytes: peak - base, baseBytes: base };
  } finally {
    clearInterval(timer);
  }
}

/** Counts lines starting with `dn:` in a byte stream, across chunk boundaries. */
export class DnLineCounter {
  count = 0;
  private state = 0; // 0: at line start, 1: seen "d", 2: seen "dn", 3: inside a line
  push(buf: Buffer): void {
    let s = this.state;
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === 0x0a) {
        s = 0;
        continue;
      }
      if (s === 0) s = c === 0x64 /* d */ ? 1 : 3;
      else if (s === 1) s = c === 0x6e /* n */ ? 2 : 3;
      else if (s === 2) {
        if (c === 0x3a /* : */) this.count++;
        s = 3;
      }
    }
    this.state = s;
  }
}

/**
 * Runs `ldapsearch args` as a child process with its stdout drained: the wall time around the
 * process, the `dn:` lines and the bytes it printed. Rejects with its stderr when it fails.
 */
export function drainLdapsearch(args: string[], env?: NodeJS.ProcessEnv): Promise<{ ms: number; count: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const counter = new DnLineCounter();
    let bytes = 0;
    let stderr = '';
    const started = performance.now();
    const child = spawn('ldapsearch', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => {
      bytes += b.length;
      counter.push(b);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`ldapsearch exited with ${code ?? sig}: ${stderr.trim()}`));
      else resolve({ ms, count: counter.count, bytes });
    });
  });
}

/** A keychain that is never needed (the password comes from the environment). */
export const noKeychain: Keychain = {
  status: async () => ({ available: false, backend: 'none', reason: 'bench: passwords come from the environment' }),
  set: async () => {
    throw new Error('bench: no keychain');
  },
  get: async () => null,
  delete: async () => {},
};

/**
 * Runs `script` in a fresh node with tsx (so each measured phase has its own process and peak RSS):
 * `input` goes in the environment variable `inputVar` as JSON, and the child answers with one
 * stdout line `<marker> {json}`, which is parsed and returned. Rejects on a non-zero exit or no answer.
 */
export function runTsxChild<T>(o: { script: string; args: string[]; nodeFlags?: string[]; cwd: string; inputVar: string; input: unknown; marker: string }): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', 'tsx', o.script, ...o.args], {
      cwd: o.cwd,
      env: { ...process.env, [o.inputVar]: JSON.stringify(o.input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      const line = out.split('\n').find((l) => l.startsWith(`${o.marker} `));
      if (code !== 0 || !line) return reject(new Error(`${o.args.join(' ')} exited with ${code ?? sig}:\n${out}`));
      resolve(JSON.parse(line.slice(o.marker.length + 1)) as T);
    });
  });
}
