/**
 * The script engine: runs a server's Active, Org name and Role name scripts over directory
 * entries inside a QuickJS (WebAssembly) sandbox, with per-call time, memory and stack limits.
 *
 * Time limit semantics: `timeMs` applies to each call of one script on one entry (and separately
 * to a script's top-level code when it is loaded). The interrupt handler, polled by QuickJS about
 * every 0.5 ms, sees which entry is running and stops a call once it has been observed running
 * for more than `timeMs`, so a call ends between timeMs and timeMs + ~1 ms after it started.
 * A script stopped on 3 entries (time) or 1 entry (memory) within one evaluate() is not run on the
 * remaining entries of that evaluate() (SCRIPT_SKIPPED), so an evaluation costs at most about
 * 3 x 3 x timeMs in timeouts plus its normal work. Native built-ins do not poll the handler: the
 * unbounded ones (Array methods over a huge sparse `length`) are refused, and the app runs this
 * engine in a worker (script-runner.ts) whose watchdog terminates a call that still runs past
 * its limit (e.g. indexOf of a 1 MB needle in a 2 MB string).
 *
 * Memory: each sandbox's WebAssembly memory is created with `memoryBytes` as its hard maximum, so
 * no allocation can take it further (QuickJS reports "out of memory"); a lower per-evaluation
 * limit is enforced by the interrupt handler. A sandbox that grew past half the ceiling is
 * replaced by a fresh module afterwards, which gives the memory back.
 */
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { SCRIPT_NAMES, type ScriptName } from '../../src-shared/domain/script-names';
import { DEFAULT_SCRIPT_LIMITS, type ScriptDiagnostic, type ScriptErrorInfo, type ScriptLimits } from '../../src-shared/domain/scripts';
import { compileOnceMore, limitFailure, type Compiled } from './compile';
import { BATCH_SIZE, runEvaluation, type EvaluationHints, type RunContext, type ScriptOutcome, type Slot } from './evaluation';
import { loadThrewMessage, sandboxLostMessage } from './messages';
import { HOST_PHASE, type Sandbox } from './sandbox';
import { SandboxPool } from './sandbox-pool';
import { loaderKey, loaderSource } from './loader-source';
import { packBatch, scriptPlan, scriptPlanKey, type EntryInput, type GroupsOf, type PackedBatch, type PlanAttributes, type WirePlan } from './wire';
import { ProgressWriter } from './progress-cell';

export type { EntryInput } from './wire';
export type { ScriptOutcome, EvaluationHints } from './evaluation';

/** Options of evaluate(). */
export interface EvaluateOptions {
  captureLogs?: boolean;
  limits?: Partial<ScriptLimits>;
  /** Attributes passed in besides or instead of those the analysis found (see PlanAttributes). */
  attributes?: PlanAttributes;
  /** The entries' group memberships, for scripts that use `groups` (see wire.ts's GroupsOf). Not sent to a worker: entries are packed with it. */
  groups?: GroupsOf;
}

/** Entries already packed for the sandbox: one batch per BATCH_SIZE entries (see wire.ts). */
export interface PackedEntries {
  count: number;
  batches: PackedBatch[];
}
export { usedAttributes } from './used-attributes';

/** The outcome of evaluate(). */
export interface EvaluationResult {
  outcomes: ScriptOutcome[];
  /** µs per entry, per script present (null when the script is absent). */
  costs: Record<ScriptName, number | null>;
  totalMs: number;
}

/** Console lines kept per evaluate() when logs are captured. */
export const LOG_LINES_PER_EVALUATION = 200;
/** The sandbox's WebAssembly memory starts at 16 MiB: a lower ceiling could not run anything. */
const MIN_MEMORY_BYTES = 24 * 1024 * 1024;

function resolveLimits(base: ScriptLimits, extra?: Partial<ScriptLimits>): ScriptLimits {
  const l = { ...base, ...extra };
  return {
    timeMs: Math.max(1, l.timeMs),
    memoryBytes: Math.max(MIN_MEMORY_BYTES, l.memoryBytes),
    stackBytes: Math.max(16 * 1024, l.stackBytes),
  };
}

function present(name: ScriptName, text: string | null): text is string {
  return text !== null && (name === 'active' || text.trim() !== '');
}

/** Runs admin scripts in a QuickJS sandbox. Create with {@link ScriptEngine.create}. */
export class ScriptEngine {
  private pool!: SandboxPool;
  /** Script text whose expression-form function is installed in the current sandbox, per slot. */
  private installed: Array<string | null> = [null, null, null];
  /** Key of the entry loader installed in the current sandbox. */
  private loader: string | null = null;
  private lastPlan: { key: string; plan: WirePlan } | null = null;
  private disposed = false;
  private progress: ProgressWriter | null = null;

  private constructor(private readonly limits: ScriptLimits) {}

  /**
   * An engine with its sandbox and a spare one (for replacing a sandbox after a memory blow-up).
   * `progress`: a script worker's shared progress cell (see progress-cell.ts), kept up to date.
   */
  static async create(limits?: Partial<ScriptLimits>, opts: { progress?: SharedArrayBuffer } = {}): Promise<ScriptEngine> {
    const engine = new ScriptEngine(resolveLimits(DEFAULT_SCRIPT_LIMITS, limits));
    engine.progress = opts.progress ? new ProgressWriter(opts.progress) : null;
    engine.pool = await SandboxPool.create(
      engine.limits.memoryBytes,
      () => {
        engine.installed = [null, null, null];
        engine.loader = null;
      },
      engine.progress,
    );
    return engine;
  }

  private get sandbox(): Sandbox {
    return this.pool.current;
  }

  /**
   * Syntax + "is a function" diagnostics for each script present; [] when all compile.
   * `hints.loadFailed`: scripts whose loading stopped a worker, reported without running them.
   */
  check(scripts: ServerScripts, hints: Pick<EvaluationHints, 'loadFailed'> = {}): ScriptDiagnostic[] {
    this.assertAlive();
    this.pool.refresh();
    const out: ScriptDiagnostic[] = [];
    const failed = new Map(hints.loadFailed ?? []);
    for (const [s, name] of SCRIPT_NAMES.entries()) {
      const text = scripts[name];
      if (!present(name, text)) continue;
      const kind = failed.get(s);
      if (kind) {
        const f = limitFailure(name, text, kind, this.limits);
        if (!f.ok) out.push(f.diagnostic);
        continue;
      }
      this.progress?.compiling(s);
      const compiled = compileOnceMore(this.sandbox, name, text, this.limits);
      this.progress?.compiling(-1);
      if (compiled.ok) compiled.handle.dispose();
      else {
        out.push(compiled.diagnostic);
        if (compiled.sandboxDied) this.pool.replaceNow();
      }
    }
    this.pool.afterUse(this.limits);
    this.progress?.idle();
    return out;
  }

  /** Evaluates all present scripts over the entries, in order; script problems become per-entry errors. */
  evaluate(scripts: ServerScripts, entries: EntryInput[], opts: EvaluateOptions = {}): EvaluationResult {
    const plan = this.planFor(scripts, opts.attributes);
    return this.run(scripts, plan, { count: entries.length, batch: (start, end) => packBatch(entries, start, end, plan, opts.groups), dn: (e) => entries[e].dn }, opts);
  }

  /**
   * evaluate() over entries packed by the caller with the same scripts' plan (a script worker's
   * entry point). Console lines carry an empty dn: the caller knows the entries. `hints`: see
   * EvaluationHints. `plan`: the plan the entries were packed with, when the caller has it (else it
   * is derived here from the scripts and `attributes`, which parses the scripts).
   */
  evaluatePacked(scripts: ServerScripts, packed: PackedEntries, opts: EvaluateOptions & { hints?: EvaluationHints; plan?: WirePlan } = {}): EvaluationResult {
    const plan = opts.plan ?? this.planFor(scripts, opts.attributes);
    const batch = (start: number) => packed.batches[start / BATCH_SIZE];
    return this.run(scripts, plan, { count: packed.count, batch, dn: () => '', hints: opts.hints }, opts);
  }

  private run(scripts: ServerScripts, plan: WirePlan, source: Pick<RunContext, 'count' | 'batch' | 'dn' | 'hints'>, opts: EvaluateOptions): EvaluationResult {
    const started = performance.now();
    this.assertAlive();
    this.pool.refresh();
    // The sandbox's memory cannot grow past the engine's ceiling: a per-call limit can only lower it.
    const limits = resolveLimits(this.limits, opts.limits);
    limits.memoryBytes = Math.min(limits.memoryBytes, this.limits.memoryBytes);
    const capture = opts.captureLogs ?? false;
    const loadFailed = new Map(source.hints?.loadFailed ?? []);
    let slots = this.install(scripts, plan, limits, capture, loadFailed);
    const { outcomes, passMs } = runEvaluation({
      ...source,
      limits,
      slots,
      sandbox: () => this.sandbox,
      recover: () => {
        if (!this.pool.replaceNow()) return false;
        slots = this.install(scripts, plan, limits, capture, loadFailed);
        return true;
      },
      progress: this.progress,
    });
    const costs = {} as Record<ScriptName, number | null>;
    const n = source.count;
    SCRIPT_NAMES.forEach((name, s) => {
      costs[name] = present(name, scripts[name]) ? (n > 0 ? (passMs[s] * 1000) / n : 0) : null;
    });
    this.pool.afterUse(limits);
    this.progress?.idle();
    return { outcomes, costs, totalMs: performance.now() - started };
  }

  /** The wire plan for these scripts (the analysis is cached for the last script set). */
  planFor(scripts: ServerScripts, attributes?: PlanAttributes): WirePlan {
    const key = scriptPlanKey(scripts, attributes);
    if (this.lastPlan?.key !== key) this.lastPlan = { key, plan: scriptPlan(scripts, attributes) };
    return this.lastPlan.plan;
  }

  /**
   * Resolves once a spare sandbox is ready. After a memory blow-up or a sandbox failure the
   * engine switches to its spare and prepares the next one in the background (~20-50 ms); until
   * then a second blow-up keeps running in the full sandbox.
   */
  ready(): Promise<void> {
    return this.pool.ready();
  }

  /** Size of the current sandbox's WebAssembly memory in bytes (diagnostics). */
  memoryBytes(): number {
    return this.sandbox.memoryBytes();
  }

  /** Frees both sandboxes. */
  dispose(): void {
    this.disposed = true;
    this.pool.dispose();
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('ScriptEngine used after dispose()');
  }

  /** Configures the driver and compiles (or reuses) each script; failures become slot errors. */
  private install(scripts: ServerScripts, plan: WirePlan, limits: ScriptLimits, capture: boolean, loadFailed: ReadonlyMap<number, 'timeout' | 'memory'>): Slot[] {
    const forced = new Map<number, ScriptErrorInfo>();
    for (const [s, kind] of loadFailed) {
      const name = SCRIPT_NAMES[s];
      const text = scripts[name];
      const f = present(name, text) ? limitFailure(name, text, kind, limits) : null;
      if (f && !f.ok) forced.set(s, f.error);
    }
    for (let attempt = 0; attempt <= SCRIPT_NAMES.length; attempt++) {
      const sb = this.sandbox;
      sb.arm(limits.timeMs, limits.memoryBytes, limits.stackBytes);
      sb.setCursor(HOST_PHASE);
      // No array that fits in the memory limit is longer than memoryBytes / 8 (8-byte values).
      const maxLength = Math.floor(limits.memoryBytes / 8);
      const config = JSON.stringify({ index: plan.index, dynamic: plan.dynamic, capture, logLimit: LOG_LINES_PER_EVALUATION, maxLength });
      let died = sb.callDriver('configure', [config]).ok && this.installLoader(sb, plan) ? -1 : 0;
      const slots: Slot[] = [];
      for (let s = 0; s < SCRIPT_NAMES.length && died < 0; s++) {
        const name = SCRIPT_NAMES[s];
        const text = scripts[name];
        if (!present(name, text) || forced.has(s)) {
          sb.setFunction(s, null);
          this.installed[s] = null;
          slots.push({ name, text: text ?? '', runnable: false, kind: 'expression', error: forced.get(s) });
          continue;
        }
        if (this.installed[s] === text) {
          slots.push({ name, text, runnable: true, kind: 'expression' });
          continue;
        }
        this.progress?.compiling(s);
        const compiled = compileOnceMore(sb, name, text, limits);
        this.progress?.compiling(-1);
        const slot = this.place(sb, s, name, text, compiled);
        if (!compiled.ok && compiled.sandboxDied) {
          forced.set(s, compiled.error);
          died = s;
        }
        slots.push(slot);
      }
      if (died < 0) return slots;
      if (!this.pool.replaceNow()) break;
    }
    return SCRIPT_NAMES.map((name) => ({
      name,
      text: scripts[name] ?? '',
      runnable: false,
      kind: 'expression' as const,
      ...(present(name, scripts[name]) ? { error: { script: name, code: 'SCRIPT_SKIPPED' as const, message: sandboxLostMessage(name) } } : {}),
    }));
  }

  /** Compiles the entry loader generated for the plan, unless the same one is installed. */
  private installLoader(sb: Sandbox, plan: WirePlan): boolean {
    if (plan.dynamic) return true;
    const key = loaderKey(plan);
    if (this.loader === key) return true;
    const factory = sb.evalGlobal(loaderSource(plan), 'loader');
    if (!factory.ok) return false;
    const set = sb.callDriver('setLoader', [factory.value]);
    if (!sb.dead) factory.value.dispose();
    this.loader = set.ok ? key : null;
    return set.ok;
  }

  private place(sb: Sandbox, s: number, name: ScriptName, text: string, compiled: Compiled): Slot {
    this.installed[s] = null;
    if (!compiled.ok) {
      sb.setFunction(s, null);
      return { name, text, runnable: false, kind: 'expression', error: compiled.error };
    }
    const set = sb.setFunction(s, compiled.handle);
    if (!sb.dead) compiled.handle.dispose();
    if (!set.ok) {
      sb.setFunction(s, null);
      return { name, text, runnable: false, kind: compiled.kind, error: { script: name, code: 'SCRIPT_THROWN', message: loadThrewMessage(name, set.message) } };
    }
    // Program-form scripts may keep state in their top-level scope: they are reloaded every time.
    if (compiled.kind === 'expression') this.installed[s] = text;
    return { name, text, runnable: true, kind: compiled.kind };
  }
}
