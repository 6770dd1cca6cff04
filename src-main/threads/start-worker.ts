/**
 * Starts one of the app's worker threads by name, wherever the code runs:
 * - built (electron-vite's out/main/, the CLI's dist/cli/): `<name>.js` sits next to the bundle
 *   that imports this module, and is started directly;
 * - from sources (Vitest, tsx, benches): `src-main/workers/<name>.ts` is started through
 *   `ts-bootstrap.mjs` (next to this file), which registers tsx inside the worker first.
 * Worker entries are listed in {@link WORKER_NAMES}; the builds emit one file per name.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker entries: `src-main/workers/<name>.ts`, built to `<name>.js`. */
export const WORKER_NAMES = ['script-worker', 'read-worker', 'apply-worker'] as const;
export type WorkerName = (typeof WORKER_NAMES)[number];

/** Where a worker's code is: a built `.js` file, or a TypeScript source run through tsx. */
export function workerEntry(name: WorkerName): { kind: 'built' | 'source'; file: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, `${name}.js`);
  if (existsSync(built)) return { kind: 'built', file: built };
  const source = join(here, '..', 'workers', `${name}.ts`);
  if (existsSync(source)) return { kind: 'source', file: source };
  throw new Error(`The ${name} worker is missing: neither ${built} nor ${source} exists. Rebuild the app (npm run build).`);
}

/** Starts the named worker with `options` (workerData, transferList, resourceLimits...). */
export function startWorker(name: WorkerName, options: WorkerOptions = {}): Worker {
  const entry = workerEntry(name);
  if (entry.kind === 'built') return new Worker(entry.file, options);
  const bootstrap = join(dirname(fileURLToPath(import.meta.url)), 'ts-bootstrap.mjs');
  return new Worker(bootstrap, {
    ...options,
    workerData: { __entry: pathToFileURL(entry.file).href, __data: options.workerData },
  });
}

/**
 * The workerData a worker was started with, whichever way it was started (the source bootstrap
 * wraps it). Call from inside a worker entry.
 */
export function ownWorkerData<T>(raw: unknown): T {
  if (raw && typeof raw === 'object' && '__entry' in raw) return (raw as unknown as { __data: T }).__data;
  return raw as T;
}
