/**
 * Measures how long the main thread's event loop is blocked while something runs: the window,
 * cancel and progress of the app wait that long. Two instruments:
 *   - perf_hooks.monitorEventLoopDelay (5 ms resolution): max and 99th percentile of the delay;
 *   - a 5 ms interval that records every gap longer than {@link BLOCK_MS} with the phases current
 *     during it (set by the caller, e.g. from the sync's progress events), so a long block can be
 *     attributed ("planning 180 ms"), and, on Linux, the CPU time the main thread itself used in
 *     the gap (from /proc, 10 ms resolution): on a busy machine a gap can be the thread waiting
 *     for a core rather than working ("reading 150 ms, cpu 20 ms").
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** A gap longer than this counts as a block (the issue's limit: about 50 ms). */
export const BLOCK_MS = 50;

/** One long block: when it began (ms since start), how long, and the phases current during it ("reading+planning"). */
export interface LoopBlock {
  atMs: number;
  ms: number;
  phase: string;
  /** CPU time of the main thread during the gap, ms (null where /proc is not available). */
  cpuMs: number | null;
}

const STAT = `/proc/self/task/${process.pid}/stat`;

/** CPU time (user + system) the main thread has used, ms; null off Linux. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(STAT, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in USER_HZ (100)
  } catch {
    return null;
  }
}

/** What a watch reports. */
export interface LoopReport {
  maxMs: number;
  p99Ms: number;
  /** The most CPU the main thread used within one block, ms (null off Linux): the work that really blocked. */
  maxCpuMs: number | null;
  /** Blocks longer than BLOCK_MS, longest first (at most 10). */
  blocks: LoopBlock[];
}

/** Starts watching; call `phase(name)` as the work moves on and `stop()` at the end. */
export function watchEventLoop(): { phase(name: string): void; stop(): LoopReport } {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  let current = 'start';
  /** The phases current since the last tick. */
  let seen = [current];
  let last = started;
  let lastCpu = mainThreadCpuMs();
  const blocks: LoopBlock[] = [];
  const tick = () => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    if (now - last > BLOCK_MS) blocks.push({ atMs: last - started, ms: now - last, phase: seen.join('+'), cpuMs: cpu === null || lastCpu === null ? null : cpu - lastCpu });
    last = now;
    lastCpu = cpu;
    seen = [current];
  };
  const timer = setInterval(tick, 5);
  return {
    phase(name: string) {
      if (name === current) return;
      current = name;
      seen.push(name);
    },
    stop(): LoopReport {
      clearInterval(timer);
      tick();
      histogram.disable();
      // The longest gap the interval saw counts too: the histogram can miss a single long block.
      const longest = blocks.reduce((m, b) => Math.max(m, b.ms), 0);
      const cpus = blocks.map((b) => b.cpuMs).filter((c): c is number => c !== null);
      const maxCpuMs = lastCpu === null ? null : cpus.reduce((m, c) => Math.max(m, c), 0);
      return { maxMs: Math.max(histogram.max / 1e6, longest), p99Ms: histogram.percentile(99) / 1e6, maxCpuMs, blocks: blocks.sort((a, b) => b.ms - a.ms).slice(0, 10) };
    },
  };
}

/** "planning 180 ms at 2.1 s, reading 60 ms at 0.4 s" (or "none"). */
export function describeBlocks(blocks: readonly LoopBlock[]): string {
  if (blocks.length === 0) return `none over ${BLOCK_MS} ms`;
  return blocks.map((b) => `${b.phase} ${b.ms.toFixed(0)} ms${b.cpuMs === null ? '' : ` (cpu ${b.cpuMs.toFixed(0)})`} at ${(b.atMs / 1000).toFixed(2)} s`).join(', ');
}
