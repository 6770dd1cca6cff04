import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

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
