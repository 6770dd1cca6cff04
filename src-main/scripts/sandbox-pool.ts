/**
 * The engine's current sandbox plus a spare one made in advance. WebAssembly memory never
 * shrinks and a module can die (host stack overflow), and making a module is asynchronous while
 * evaluate() is not: so a replacement is always prepared in the background, and switching to it
 * is instant.
 */
import type { ScriptLimits } from '../../src-shared/domain/scripts';
import type { ProgressWriter } from './progress-cell';
import { Sandbox } from './sandbox';

/** The current sandbox and its spare. */
export class SandboxPool {
  private spare: Sandbox | null;
  private spareComing: Promise<void> | null = null;
  private spareError: unknown = null;
  private replaceModule = false;
  private replaceContext = false;
  private disposed = false;

  /** `onSwitch` runs whenever `current` changes (whatever was installed in the old one is gone). */
  private constructor(
    private sandbox: Sandbox,
    spare: Sandbox,
    private readonly maxBytes: number,
    private readonly onSwitch: () => void,
    private readonly progress: ProgressWriter | null,
  ) {
    this.spare = spare;
    sandbox.progress = spare.progress = progress;
  }

  /** A pool whose sandboxes' memory can never grow past `maxBytes`; `progress`: see Sandbox.progress. */
  static async create(maxBytes: number, onSwitch: () => void, progress: ProgressWriter | null = null): Promise<SandboxPool> {
    const [sandbox, spare] = await Promise.all([Sandbox.create(maxBytes), Sandbox.create(maxBytes)]);
    return new SandboxPool(sandbox, spare, maxBytes, onSwitch, progress);
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
   * Replaces the current sandbox right away: by the spare, or else by a new runtime in the same
   * module (freeing everything QuickJS held, though not the module's memory). False when neither
   * is possible (the module died and no spare is ready).
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

  /** Switches to the spare sandbox (a fresh module); false when none is ready yet. */
  switchToSpare(): boolean {
    const next = this.spare;
    if (!next) {
      this.orderSpare();
      return false;
    }
    this.spare = null;
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

  /** Frees both sandboxes (a spare still being made is freed when it arrives). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sandbox.dispose();
    this.spare?.dispose();
    this.spare = null;
  }

  private orderSpare(): void {
    if (this.spare || this.spareComing || this.disposed) return;
    this.spareError = null;
    this.spareComing = Sandbox.create(this.maxBytes).then(
      (s) => {
        this.spareComing = null;
        s.progress = this.progress;
        if (this.disposed || this.spare) s.dispose();
        else this.spare = s;
      },
      (error: unknown) => {
        this.spareComing = null;
        this.spareError = error;
      },
    );
  }
}
