/**
 * One script worker as the main thread sees it: started with its progress cell, one request at a
 * time, and a watchdog that terminates it when a call outlives its time limit. A worker that is
 * terminated or dies is never reused: the request fails with {@link WorkerStopped}, which says what
 * was running, and the runner replays the request in a fresh worker.
 *
 * Watchdog: while a request is pending, an unref'd timer reads the progress cell every
 * {@link watchdogTickMs} ms. A step that has run longer than its budget (the script time limit, or
 * the generous budget of host work) plus {@link graceMs} gets the worker terminated. The grace
 * (max(50 ms, 20% of the budget)) lets the in-sandbox interrupt handler, which stops ordinary
 * loops at the limit, always act first, so the watchdog only ever stops what it cannot stop
 * (native built-ins, e.g. indexOf over megabytes) or a thread that hangs outside the sandbox.
 */
import type { Worker } from 'node:worker_threads';
import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from '../../src-shared/domain/scripts';
import { startWorker } from '../threads/start-worker';
import { newProgressBuffer, PROGRESS, progressNow, readProgress, type ProgressRecord } from './progress-cell';
import { withPlan } from './request-plan';
import type { ScriptWorkerData, WorkerReply, WorkerRequest } from './worker-protocol';

/** Extra time past a step's budget before the watchdog terminates the worker. */
export function graceMs(budgetMs: number): number {
  return Math.max(50, budgetMs * 0.2);
}

/** How often the watchdog looks while a request is pending. */
export function watchdogTickMs(limitMs: number): number {
  return Math.max(5, Math.min(50, graceMs(limitMs) / 2));
}

/** Why a worker stopped during a request, and what it was doing then. */
export class WorkerStopped extends Error {
  constructor(
    /** `timeout`: the watchdog terminated it; `memory`: out of heap; `crash`: any other death. */
    readonly kind: 'timeout' | 'memory' | 'crash',
    readonly progress: ProgressRecord | null,
    message: string,
  ) {
    super(message);
  }
}

/** A reply to one request (the worker's `id` stripped). */
type Reply = Exclude<WorkerReply, { type: 'ready' } | { type: 'failed' }>;

/** One started script worker. */
export class ScriptWorkerHandle {
  private readonly worker: Worker;
  private readonly progress = newProgressBuffer();
  private pending: { id: number; resolve: (r: Reply) => void; reject: (e: Error) => void } | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private nextId = 1;
  /** Callers of {@link untilReady} still waiting. */
  private readyWaiters = 0;
  /** Set once the worker is gone (terminated or died); it takes no more requests. */
  stopped: Error | null = null;
  /** Resolves when the worker's engine is ready. */
  readonly ready: Promise<void>;
  /** The sandbox's WebAssembly memory as last reported. */
  memoryBytes = 0;

  constructor(
    private readonly limits: ScriptLimits,
    heapMb: number,
  ) {
    const data: ScriptWorkerData = { limits, progress: this.progress };
    this.worker = startWorker('script-worker', { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // Nobody may be waiting for a spare's readiness: a failure is reported by the next request.
    this.ready.catch(() => {});
    this.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') return readyResolve();
      if (m.type === 'failed') {
        const error = new Error(`The script sandbox could not start: ${m.message}`);
        readyReject(error);
        this.stop(error);
        return;
      }
      if (m.type !== 'refused') this.memoryBytes = m.memoryBytes;
      const p = this.pending;
      if (!p || p.id !== m.id) return;
      this.settle();
      p.resolve(m);
    });
    this.worker.on('error', (err: Error & { code?: string }) => {
      const kind = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash';
      const error = new WorkerStopped(kind, readProgress(this.progress), `The script worker stopped: ${err.message}`);
      readyReject(error);
      this.stop(error);
    });
    this.worker.on('exit', (code) => {
      const error = new WorkerStopped('crash', readProgress(this.progress), `The script worker exited (code ${code}).`);
      readyReject(error);
      this.stop(error);
    });
    // An idle worker never keeps the process alive; a pending request does (see request()). After
    // the listeners: adding the 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  /**
   * {@link ready}, keeping the process alive until then. The bare `ready` does not: a worker
   * nobody waits for (a warm one, a spare) must never keep a finished process from exiting.
   */
  untilReady(): Promise<void> {
    if (this.stopped) return this.ready;
    this.readyWaiters++;
    this.worker.ref();
    const done = () => {
      if (--this.readyWaiters === 0 && !this.pending && !this.stopped) this.worker.unref();
    };
    return this.ready.finally(done);
  }

  /** Sends one request; rejects with WorkerStopped when the worker is terminated or dies meanwhile. */
  request(req: Omit<WorkerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.pending) return Promise.reject(new Error('script worker busy'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.worker.ref();
      const tick = watchdogTickMs(this.limits.timeMs);
      this.watchdog = setInterval(() => this.check(), tick);
      this.watchdog.unref();
      this.worker.postMessage(withPlan({ ...req, id } as WorkerRequest), transfer);
    });
  }

  /** Terminates the worker now (cancel, dispose); a pending request fails with `reason`. */
  terminate(reason: Error): void {
    this.stop(reason);
  }

  private check(): void {
    const p = readProgress(this.progress);
    if (!p || p.state === PROGRESS.idle) return;
    if (progressNow() - p.since <= p.budgetMs + graceMs(p.budgetMs)) return;
    this.stop(new WorkerStopped('timeout', p, 'A script call ran past its time limit and its worker was terminated.'));
  }

  private settle(): void {
    this.pending = null;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    if (!this.stopped && this.readyWaiters === 0) this.worker.unref();
  }

  private stop(reason: Error): void {
    if (this.stopped) return;
    this.stopped = reason;
    const p = this.pending;
    this.settle();
    void this.worker.terminate();
    p?.reject(reason);
  }
}

/** The worker's JavaScript heap ceiling in MiB unless the runner is told otherwise. */
export const DEFAULT_WORKER_HEAP_MB = 256;

/** A worker started ahead by {@link warmScriptWorker}, with what it was started with. */
let warm: { handle: ScriptWorkerHandle; key: string } | null = null;
const warmKey = (limits: ScriptLimits, heapMb: number) => JSON.stringify([limits, heapMb]);

/**
 * Starts a script worker now for the next runner of this process that asks for one with the same
 * limits (`limits` over the defaults, as ScriptRunner.create takes them; see
 * {@link takeWarmScriptWorker}): the CLI calls it before it loads the app and opens the store, so
 * the worker's start-up (module, QuickJS: ~0.3 s on 2 cores) overlaps them. Unused, it keeps
 * nothing alive (its worker is unref'd while idle).
 */
export function warmScriptWorker(partial: Partial<ScriptLimits> = {}, heapMb = DEFAULT_WORKER_HEAP_MB): void {
  const limits = { ...DEFAULT_SCRIPT_LIMITS, ...partial };
  const key = warmKey(limits, heapMb);
  if (warm && !warm.handle.stopped && warm.key === key) return;
  warm?.handle.terminate(new Error('replaced by another warm worker'));
  warm = { handle: new ScriptWorkerHandle(limits, heapMb), key };
}

/** The worker {@link warmScriptWorker} started, when it is still alive and was started with these limits (once). */
export function takeWarmScriptWorker(limits: ScriptLimits, heapMb: number): ScriptWorkerHandle | null {
  const w = warm;
  if (!w || w.handle.stopped || w.key !== warmKey(limits, heapMb)) return null;
  warm = null;
  return w.handle;
}
