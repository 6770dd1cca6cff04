/**
 * The script engine as the app uses it: the same surface as ScriptEngine, but the sandboxes run in
 * a worker thread and every call is asynchronous, so no script can block the main thread, and a
 * call that the in-sandbox limits cannot stop still ends.
 *
 * - Entries cross packed: the runner packs each batch of 1,000 with the scripts' wire plan (only
 *   the attributes the scripts read, one string per batch), and outcomes come back packed
 *   (outcome-wire.ts).
 * - When a call outlives its time limit plus a grace, the worker is terminated (see
 *   script-worker-handle.ts); a worker that dies (out of heap, crash) is treated alike. The
 *   request is then replayed in a fresh worker with what was learnt: a call marked exactly is
 *   recorded as SCRIPT_TIMEOUT / SCRIPT_MEMORY without running it again (the skip rule counts it
 *   as usual); a call only observed "at or after entry i" makes the replay run that script from
 *   entry i one entry per call, each marked exactly. The outcomes are therefore the ones the
 *   in-sandbox limits give for a script they can stop.
 * - An aborted `signal` terminates the worker at once and rejects with CANCELLED.
 * - A spare worker is kept warm once one had to be replaced, so a second replacement is instant.
 */
import type { ScriptName, ServerScripts } from '../../src-shared/domain/mapping';
import { DEFAULT_SCRIPT_LIMITS, type ScriptDiagnostic, type ScriptLimits } from '../../src-shared/domain/scripts';
import { AppError } from '../../src-shared/errors';
import type { EvaluateOptions, EvaluationResult } from './engine';
import { BATCH_SIZE, type EvaluationHints } from './evaluation';
import { unpackOutcomes } from './outcome-wire';
import { PROGRESS, type ProgressRecord } from './progress-cell';
import { DEFAULT_WORKER_HEAP_MB, ScriptWorkerHandle, takeWarmScriptWorker, WorkerStopped } from './script-worker-handle';
import { packBatch, scriptPlan, scriptPlanKey, type EntryInput, type GroupsOf, type PackedBatch, type PlanAttributes, type WirePlan } from './wire';

/** Workers lost within one call after which its remaining entries are given up as "sandbox lost". */
const MAX_REPLACEMENTS_PER_CALL = 40;

/** Options of {@link ScriptRunner.create}. */
export interface ScriptRunnerOptions {
  /** Ceiling of the worker's own JavaScript heap in MiB (the sandboxes' memory is apart). Default 256. */
  workerHeapMb?: number;
}

/** Hints being learnt for one request (mutable arrays of EvaluationHints). */
interface Learnt {
  forced: Array<[number, number, 'SCRIPT_TIMEOUT' | 'SCRIPT_MEMORY']>;
  careful: Array<[number, number]>;
  loadFailed: Array<[number, 'timeout' | 'memory']>;
  lostFrom?: number;
  /**
   * Scripts whose loading the time limit stopped once (the limit is wall-clock time: on a busy
   * machine a worker that waited for a core can pass it loading a valid script): loaded again once
   * before they are recorded in `loadFailed`. (Sent along with the hints; the worker does not read it.)
   */
  slowLoads?: Set<number>;
}

/** Runs admin scripts in a worker thread. Create with {@link ScriptRunner.create}. */
export class ScriptRunner {
  private current: ScriptWorkerHandle;
  /** Started once a worker had to be replaced: a script that stopped one is likely to stop more. */
  private spare: ScriptWorkerHandle | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private lastPlan: { key: string; plan: WirePlan } | null = null;
  private disposed = false;

  private constructor(
    private readonly limits: ScriptLimits,
    private readonly heapMb: number,
  ) {
    this.current = this.start();
  }

  /** A runner with its worker started and ready. */
  static async create(limits?: Partial<ScriptLimits>, opts: ScriptRunnerOptions = {}): Promise<ScriptRunner> {
    const runner = new ScriptRunner({ ...DEFAULT_SCRIPT_LIMITS, ...limits }, opts.workerHeapMb ?? DEFAULT_WORKER_HEAP_MB);
    try {
      await runner.current.untilReady();
    } catch (err) {
      runner.dispose();
      throw err;
    }
    return runner;
  }

  /** Syntax + "is a function" diagnostics for each script present; [] when all compile. */
  check(scripts: ServerScripts, opts: { signal?: AbortSignal } = {}): Promise<ScriptDiagnostic[]> {
    return this.exclusive(async () => {
      const learnt: Learnt = { forced: [], careful: [], loadFailed: [] };
      for (let attempt = 0; ; attempt++) {
        const worker = await this.worker(opts.signal);
        try {
          const reply = await this.send(worker, { type: 'check', scripts, hints: learnt }, opts.signal);
          if (reply.type === 'refused') throw new Error(reply.message);
          if (reply.type !== 'checked') throw new Error(`unexpected reply ${reply.type}`);
          return reply.diagnostics;
        } catch (err) {
          if (!(err instanceof WorkerStopped)) throw err;
          const p = err.progress;
          if (!p || p.compiling < 0 || attempt >= MAX_REPLACEMENTS_PER_CALL) {
            throw new AppError('INTERNAL', 'The script sandbox stopped while checking the scripts; check them again.');
          }
          learnLoad(learnt, p.compiling, err.kind);
        }
      }
    });
  }

  /** Evaluates all present scripts over the entries, in order; script problems become per-entry errors. */
  evaluate(scripts: ServerScripts, entries: EntryInput[], opts: EvaluateOptions & { signal?: AbortSignal } = {}): Promise<EvaluationResult> {
    const packStarted = performance.now();
    let batches: PackedBatch[];
    try {
      // Packed now, not when the worker is free: a caller that hands over the next page while this
      // one is evaluated (the sync's read) packs it meanwhile.
      batches = this.pack(scripts, entries, opts.attributes, opts.groups);
    } catch (err) {
      return Promise.reject(err);
    }
    const packMs = performance.now() - packStarted;
    return this.exclusive(async () => {
      // The call's own time (packing and evaluating), not its wait for the calls before it.
      const started = performance.now() - packMs;
      const learnt: Learnt = { forced: [], careful: [], loadFailed: [] };
      for (let attempt = 0; ; attempt++) {
        const worker = await this.worker(opts.signal);
        try {
          const request = { type: 'evaluate' as const, scripts, count: entries.length, batches, captureLogs: opts.captureLogs ?? false, limits: opts.limits, attributes: opts.attributes, hints: learnt };
          const reply = await this.send(worker, request, opts.signal);
          if (reply.type === 'refused') throw new Error(reply.message);
          if (reply.type !== 'evaluated') throw new Error(`unexpected reply ${reply.type}`);
          const outcomes = unpackOutcomes(reply.result.outcomes, (e) => entries[e].dn);
          return { outcomes, costs: reply.result.costs as Record<ScriptName, number | null>, totalMs: performance.now() - started };
        } catch (err) {
          if (!(err instanceof WorkerStopped)) throw err;
          if (attempt >= MAX_REPLACEMENTS_PER_CALL + 2) throw new AppError('INTERNAL', 'The script sandbox keeps stopping; evaluate again.');
          if (attempt >= MAX_REPLACEMENTS_PER_CALL) learnt.lostFrom = 0;
          else learn(learnt, err);
        }
      }
    });
  }

  /** Resolves once the worker (and the spare, when one is kept) is ready. */
  async ready(): Promise<void> {
    await this.current.untilReady();
    await this.spare?.untilReady();
  }

  /** Size of the worker's current sandbox memory in bytes, as last reported (diagnostics). */
  memoryBytes(): number {
    return this.current.memoryBytes;
  }

  /** Terminates the workers; pending calls fail. */
  dispose(): void {
    this.disposed = true;
    // Calls still pending when the app closes end as cancelled (not as an internal error in the log).
    const reason = new AppError('CANCELLED', 'The app is closing: the scripts were stopped.');
    this.current.terminate(reason);
    this.spare?.terminate(reason);
    this.spare = null;
  }

  private start(): ScriptWorkerHandle {
    return takeWarmScriptWorker(this.limits, this.heapMb) ?? new ScriptWorkerHandle(this.limits, this.heapMb);
  }

  /** A live, ready worker: the current one, or its replacement (the spare, else a new one). */
  private async worker(signal?: AbortSignal): Promise<ScriptWorkerHandle> {
    for (let attempt = 0; ; attempt++) {
      if (this.disposed) throw new AppError('CANCELLED', 'The app is closing: the scripts were stopped.');
      if (signal?.aborted) throw cancelled();
      if (this.current.stopped) {
        const next = this.spare && !this.spare.stopped ? this.spare : this.start();
        this.current = next;
        this.spare = null;
        // A spare from now on, started once this worker is up so that the two do not compete for the CPU.
        next.ready.then(() => {
          if (!this.disposed && !this.spare && this.current === next) this.spare = this.start();
        }, () => {});
      }
      try {
        await untilAborted(this.current.untilReady(), signal);
        return this.current;
      } catch (err) {
        // A worker that cannot even start is not retried forever.
        if (attempt >= 2 || (err instanceof AppError && err.code === 'CANCELLED')) throw err;
      }
    }
  }

  private send(worker: ScriptWorkerHandle, req: Parameters<ScriptWorkerHandle['request']>[0], signal?: AbortSignal) {
    if (signal?.aborted) return Promise.reject(cancelled());
    const onAbort = () => worker.terminate(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
    return worker.request(req).finally(() => signal?.removeEventListener('abort', onAbort));
  }

  /** Entries packed per batch with the scripts' wire plan (the worker derives the same plan). */
  private pack(scripts: ServerScripts, entries: EntryInput[], attributes?: PlanAttributes, groups?: GroupsOf): PackedBatch[] {
    const key = scriptPlanKey(scripts, attributes);
    if (this.lastPlan?.key !== key) this.lastPlan = { key, plan: scriptPlan(scripts, attributes) };
    const plan = this.lastPlan.plan;
    const batches: PackedBatch[] = [];
    for (let start = 0; start < entries.length; start += BATCH_SIZE) batches.push(packBatch(entries, start, Math.min(entries.length, start + BATCH_SIZE), plan, groups));
    return batches;
  }

  /** Runs calls one at a time (the worker takes one request at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

/** `promise`, or a CANCELLED rejection as soon as `signal` aborts (a worker may take a second to start). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function cancelled(): AppError {
  return new AppError('CANCELLED', 'Cancelled while the scripts were running. Nothing was changed.');
}

/** Script `s` stopped a worker while loading: recorded as failed, except a first time-limit stop (see Learnt.slowLoads). */
function learnLoad(learnt: Learnt, s: number, kind: WorkerStopped['kind']): void {
  if (kind === 'timeout' && !learnt.slowLoads?.has(s)) {
    (learnt.slowLoads ??= new Set()).add(s);
    return;
  }
  learnt.loadFailed.push([s, kind === 'timeout' ? 'timeout' : 'memory']);
}

/** What a lost worker's progress cell tells the replay (see EvaluationHints). */
function learn(learnt: Learnt, stopped: WorkerStopped): void {
  const p: ProgressRecord | null = stopped.progress;
  const code = stopped.kind === 'timeout' ? 'SCRIPT_TIMEOUT' : 'SCRIPT_MEMORY';
  if (p && p.state === PROGRESS.host && p.compiling >= 0) learnLoad(learnt, p.compiling, stopped.kind);
  else if (p && p.state === PROGRESS.passExact) learnt.forced.push([p.batch + p.index, p.slot, code]);
  // A call the watchdog stopped is at or after the entry last observed; a worker that died may
  // have died taking in the whole pass's result, so the replay is careful from the pass's start.
  else if (p && p.state === PROGRESS.passObserved) learnt.careful.push([p.slot, p.batch + (stopped.kind === 'timeout' ? p.index : p.from)]);
  else learnt.lostFrom = Math.min(learnt.lostFrom ?? Infinity, p && p.state !== PROGRESS.idle ? p.batch : 0);
}

export type { EvaluationHints };
