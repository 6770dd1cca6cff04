/**
 * The engine's current sandbox plus a spare WebAssembly module made in advance. WebAssembly
 * memory never shrinks and a module can die (host stack overflow), and making a module is
 * asynchronous while evaluate() is not: so a fresh module is always prepared in the background,
 * and switching to it is synchronous (a new runtime, context and driver in it, a few ms).
 * The spare is only the instantiated module: installing the driver in it waits until it is
 * needed, so a run's start pays for one QuickJS sandbox, not two.
 */
import type { QuickJSWASMModule } from 'quickjs-emscripten';
import type { ScriptLimits } from '../../src-shared/domain/scripts';
import type { ProgressWriter } from './progress-cell';
import { Sandbox } from './sandbox';

/** The current sandbox and its spare module. */
export class SandboxPool {
  private spare: QuickJSWASMModule | null = null;
  private spareComing: Promise<void> | null = null;
  private spareError: unknown = null;
  private replaceModule = false;
  private replaceContext = false;
  private disposed = false;

  /** `onSwitch` runs whenever `current` changes (whatever was installed in the old one is gone). */
  private constructor(
    private sandbox: Sandbox,
    private readonly maxBytes: number,
    private readonly onSwitch: () => void,
    private readonly progress: ProgressWriter | null,
  ) {
    sandbox.progress = progress;
  }

  /**
   * A pool whose sandboxes' memory can never grow past `maxBytes`; `progress`: see Sandbox.progress.
   * Resolves with the first sandbox; the spare module follows in the background ({@link ready} waits for it).
   */
  static async create(maxBytes: number, onSwitch: () => void, progress: ProgressWriter | null = null): Promise<SandboxPool> {
    const pool = new SandboxPool(await Sandbox.create(maxBytes), maxBytes, onSwitch, progress);
    pool.orderSpare();
    return pool;
  }

  /** The sandbox to use now. */
  get current(): Sandbox {
    return this.sandbox;
  }

  /**
   * After a check or an evaluation: the sandbox is replaced when it died or its memory grew past
   * half the ceiling (a fresh module gives the memory back), and reset when promise jobs are
   * queued (an async script). Done now if possible, else at the next refresh().
   */
  afterUse(limits: ScriptLimits): void {
    if (this.sandbox.dead || this.sandbox.memoryBytes() > limits.memoryBytes / 2) this.replaceModule = true;
    if (this.sandbox.hasPendingJob()) this.replaceContext = true;
    this.refresh();
  }

  /** Carries out a pending replacement or reset when possible. */
  refresh(): void {
    if (this.replaceModule) {
      if (this.switchToSpare()) this.replaceModule = this.replaceContext = false;
      else if (this.replaceContext) this.replaceContext = !this.resetInPlace();
      return;
    }
    if (this.replaceContext) this.replaceContext = !this.resetInPlace();
  }

  /**
   * Replaces the current sandbox right away: by one in the spare module, or else by a new runtime
   * in the same module (freeing everything QuickJS held, though not the module's memory). False
   * when neither is possible (the module died and no spare is ready).
   */
  replaceNow(): boolean {
    if (this.switchToSpare()) return true;
    this.replaceModule = true;
    return this.resetInPlace();
  }

  /** A new runtime and context in the current module; false when the module is unusable. */
  private resetInPlace(): boolean {
    if (this.sandbox.dead) return false;
    const module = this.sandbox.module;
    if (!this.sandbox.dispose()) return false;
    try {
      this.sandbox = Sandbox.open(module);
      this.sandbox.progress = this.progress;
    } catch {
      this.sandbox.dead = true;
      return false;
    }
    this.onSwitch();
    return true;
  }

  /** Switches to a sandbox in the spare module (a fresh one); false when none is ready yet. */
  switchToSpare(): boolean {
    const module = this.spare;
    if (!module) {
      this.orderSpare();
      return false;
    }
    this.spare = null;
    let next: Sandbox;
    try {
      next = Sandbox.open(module);
    } catch {
      // The spare module is dropped (as Sandbox.open asks); the next one is ordered.
      this.orderSpare();
      return false;
    }
    next.progress = this.progress;
    const old = this.sandbox;
    this.sandbox = next;
    old.dispose();
    this.onSwitch();
    this.orderSpare();
    return true;
  }

  /** Resolves once a spare is ready (and any pending replacement is done). */
  async ready(): Promise<void> {
    while (!this.disposed && !this.spare) {
      this.orderSpare();
      await this.spareComing;
      if (this.spareError) throw this.spareError;
    }
    this.refresh();
  }

  /** Frees the current sandbox and drops the spare module (one still being made is dropped when it arrives). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sandbox.dispose();
    this.spare = null;
  }

  private orderSpare(): void {
    if (this.spare || this.spareComing || this.disposed) return;
    this.spareError = null;
    this.spareComing = Sandbox.newModule(this.maxBytes).then(
      (module) => {
        this.spareComing = null;
        if (!this.disposed && !this.spare) this.spare = module;
      },
      (error: unknown) => {
        this.spareComing = null;
        this.spareError = error;
      },
    );
  }
}
