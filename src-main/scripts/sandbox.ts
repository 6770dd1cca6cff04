/**
 * One QuickJS WebAssembly module with one runtime and one context, the driver installed and every
 * intrinsic frozen. It enforces the limits: a per-call time limit and a memory ceiling, both
 * checked by the interrupt handler (which reads the driver's progress cell straight from
 * WebAssembly memory), and a stack limit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CustomizeVariantOptions, QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten';
import { DRIVER_SOURCE, HELPERS_SOURCE, PROGRAM_WRAPPER_SOURCE } from './driver-source';
import type { ProgressWriter } from './progress-cell';

/**
 * The QuickJS stack limit actually applied. QuickJS measures only its own (shadow) stack, but its
 * WebAssembly frames also use the host's native stack: measured on Node 20, recursion through
 * native callbacks overflowed V8's stack from ~384 KiB of QuickJS stack. 192 KiB still allows
 * about 1,000 levels of plain recursion.
 */
export const MAX_EFFECTIVE_STACK_BYTES = 192 * 1024;

/** WebAssembly pages (64 KiB); the QuickJS build starts with 16 MiB and needs at least that. */
const PAGE_BYTES = 65536;
const INITIAL_PAGES = 256;
/** The WebAssembly API (WebAssembly is not in this project's TypeScript libs). */
const Wasm = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => object; compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;

/** The compiled QuickJS code of this thread (null: could not be read; quickjs-emscripten then loads it itself). */
let compiledCode: Promise<object | null> | null = null;

/**
 * QuickJS's WebAssembly code, read and compiled once per thread and shared by every sandbox made
 * here: each sandbox is then only an instantiation (its own memory), not a second read, compile
 * and optimisation of the same 0.5 MB of code.
 */
function quickjsCode(): Promise<object | null> {
  compiledCode ??= (async () => {
    try {
      const file = createRequire(import.meta.url).resolve('@jitl/quickjs-wasmfile-release-sync/wasm');
      return await Wasm.compile(readFileSync(file));
    } catch {
      return null;
    }
  })();
  return compiledCode;
}

/** What {@link Sandbox.newModule} uses of quickjs-emscripten. */
interface QuickJSLibrary {
  newVariant: typeof import('quickjs-emscripten').newVariant;
  newQuickJSWASMModuleFromVariant: typeof import('quickjs-emscripten').newQuickJSWASMModuleFromVariant;
  releaseSync: typeof import('quickjs-emscripten').RELEASE_SYNC;
}

let library: Promise<QuickJSLibrary> | null = null;

/**
 * quickjs-emscripten's core and its release-sync variant, loaded here rather than at the top: the
 * main thread loads this file for its constants (HOST_PHASE...) and never makes a sandbox itself in
 * a run (the script worker does). The pieces are required as CommonJS (their `require` builds),
 * not through the package's entry: that entry loads all four variants, and the variant loads its
 * Emscripten module with `import()`, which made each script worker start Node's ES module loader
 * (15 more internal modules, fs/promises and readline among them: measured 10-30 ms of the
 * worker's CPU before it is ready).
 * Through `createRequire`, so that no bundler follows them (they stay in node_modules). Should a
 * future layout not have them, the package's entry is used as before.
 */
function quickjsLibrary(): Promise<QuickJSLibrary> {
  library ??= (async () => {
    try {
      const load = createRequire(import.meta.url);
      const core = load('quickjs-emscripten-core') as Pick<QuickJSLibrary, 'newVariant' | 'newQuickJSWASMModuleFromVariant'>;
      const { QuickJSFFI } = load('@jitl/quickjs-wasmfile-release-sync/ffi') as { QuickJSFFI: Awaited<ReturnType<QuickJSLibrary['releaseSync']['importFFI']>> };
      const loader = load('@jitl/quickjs-wasmfile-release-sync/emscripten-module') as Awaited<ReturnType<QuickJSLibrary['releaseSync']['importModuleLoader']>>;
      const releaseSync: QuickJSLibrary['releaseSync'] = { type: 'sync', importFFI: async () => QuickJSFFI, importModuleLoader: async () => loader };
      return { newVariant: core.newVariant, newQuickJSWASMModuleFromVariant: core.newQuickJSWASMModuleFromVariant, releaseSync };
    } catch {
      const q = await import('quickjs-emscripten');
      return { newVariant: q.newVariant, newQuickJSWASMModuleFromVariant: q.newQuickJSWASMModuleFromVariant, releaseSync: q.RELEASE_SYNC };
    }
  })();
  return library;
}

/** Cursor value for host-side work in the sandbox (loading a batch, collecting errors): it gets a generous budget. */
export const HOST_PHASE = -3;
const HOST_PHASE_MS = 5000;

/**
 * 16 bytes to find a buffer by in WebAssembly memory. They need to be unlikely to occur there by
 * chance, not secret (they are found before any script runs), so Math.random does: loading
 * node:crypto for them cost the script worker's start ~3 ms.
 */
function magicBytes(): Uint8Array {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return bytes;
}

/**
 * Where `magic` is in `memory` (-1: nowhere). It is looked for first within 64 KiB of `near`: the
 * buffer's bytes and its JSValue are allocated one after the other (measured: 72 bytes apart, at
 * ~5 MB), so the whole memory (16 MB and more, 5-10 ms a sandbox) is scanned only as a fallback.
 */
function locateMagic(memory: ArrayBufferLike, magic: Uint8Array, near: number): number {
  const all = Buffer.from(memory);
  const needle = Buffer.from(magic);
  if (Number.isInteger(near) && near >= 0) {
    const from = Math.max(0, near - 65536);
    const at = all.subarray(from, Math.min(all.length, near + 65536)).indexOf(needle);
    if (at >= 0) return from + at;
  }
  return all.indexOf(needle);
}

/** A value passed to a driver method. */
export type DriverArg = string | number | boolean | null | QuickJSHandle;

/** How a call into the sandbox ended. */
export type CallOutcome<T> =
  | { ok: true; value: T }
  /** `dead`: the WebAssembly module itself failed (host stack overflow, abort); the sandbox is unusable. */
  | { ok: false; kind: 'timeout' | 'memory' | 'error' | 'dead'; name: string; message: string; stack: string };

interface Watch {
  limitMs: number;
  ceiling: number;
  baseBytes: number;
  lastIndex: number;
  callStart: number;
  reason: 'timeout' | 'memory' | null;
}

/** A prepared QuickJS sandbox. */
export class Sandbox {
  /** True once the module failed; a dead sandbox must be dropped, never disposed. */
  dead = false;
  /** Where a script worker tells its watchdog what runs (null outside workers). */
  progress: ProgressWriter | null = null;
  private readonly memory: ReturnType<QuickJSWASMModule['getWasmMemory']>;
  /** The module's memory when the sandbox was made (QuickJS may allocate the ceiling minus this). */
  private readonly initialBytes: number;
  private cell: Int32Array;
  private applied = { memory: -1, stack: -1 };
  private readonly watch: Watch = { limitMs: 250, ceiling: 64 * 1024 * 1024, baseBytes: 0, lastIndex: NaN, callStart: 0, reason: null };

  private constructor(
    readonly module: QuickJSWASMModule,
    private readonly runtime: QuickJSRuntime,
    readonly context: QuickJSContext,
    private readonly driver: QuickJSHandle,
    private readonly methods: Map<string, QuickJSHandle>,
    private readonly wrapper: QuickJSHandle,
    private readonly cellOffset: number,
  ) {
    this.memory = module.getWasmMemory();
    this.initialBytes = this.memory.buffer.byteLength;
    this.cell = new Int32Array(this.memory.buffer, cellOffset, 1);
    this.cell[0] = -1;
    runtime.setInterruptHandler(() => this.shouldInterrupt());
  }

  /**
   * A sandbox in a fresh WebAssembly instance of QuickJS (see {@link newModule}) whose memory can
   * never grow past `maxBytes`: an allocation beyond it fails inside QuickJS ("out of memory")
   * however it is made.
   */
  static async create(maxBytes: number): Promise<Sandbox> {
    return Sandbox.open(await Sandbox.newModule(maxBytes));
  }

  /**
   * A fresh WebAssembly instance of QuickJS with its own memory of at most `maxBytes`, nothing
   * in it yet ({@link open} makes the sandbox). The compiled code is shared (see quickjsCode), so
   * after the first this is a few milliseconds.
   */
  static async newModule(maxBytes: number): Promise<QuickJSWASMModule> {
    const memory = new Wasm.Memory({ initial: INITIAL_PAGES, maximum: Math.max(INITIAL_PAGES + 16, Math.floor(maxBytes / PAGE_BYTES)) });
    const [quickjs, code] = await Promise.all([quickjsLibrary(), quickjsCode()]);
    const variant = quickjs.newVariant(quickjs.releaseSync, {
      wasmMemory: memory as NonNullable<CustomizeVariantOptions['wasmMemory']>,
      ...(code ? { wasmModule: code as NonNullable<CustomizeVariantOptions['wasmModule']> } : {}),
    });
    return quickjs.newQuickJSWASMModuleFromVariant(variant);
  }

  /** A sandbox in an existing module (a new runtime and context; synchronous). */
  static open(module: QuickJSWASMModule): Sandbox {
    const runtime = module.newRuntime();
    const context = runtime.newContext();
    // On failure nothing is disposed: the caller drops the whole module.
    const magic = magicBytes();
    const buffer = context.newArrayBuffer(magic.buffer);
    // Where the buffer's JSValue was put: the heap block next to its bytes (see locateMagic).
    const near = buffer.value as unknown as number;
    const factory = context.unwrapResult(context.evalCode(DRIVER_SOURCE, 'driver', { type: 'global', strict: true }));
    const helpers = context.unwrapResult(context.evalCode(HELPERS_SOURCE, 'helpers', { type: 'global', strict: true }));
    const driver = context.unwrapResult(context.callFunction(factory, context.undefined, buffer, helpers));
    helpers.dispose();
    factory.dispose();
    buffer.dispose();
    const wrapper = context.unwrapResult(context.evalCode(PROGRAM_WRAPPER_SOURCE, 'wrapper', { type: 'global' }));
    const methods = new Map<string, QuickJSHandle>();
    for (const name of ['configure', 'setFn', 'setLoader', 'load', 'pass', 'partial', 'extras']) methods.set(name, context.getProp(driver, name));
    // The ArrayBuffer's bytes were copied into memory the buffer now owns: find them once.
    const offset = locateMagic(module.getWasmMemory().buffer, magic, near);
    if (offset < 0 || offset % 4 !== 0) {
      throw new Error('cannot locate the sandbox progress cell in WebAssembly memory (unsupported quickjs-emscripten build)');
    }
    return new Sandbox(module, runtime, context, driver, methods, wrapper, offset);
  }

  /** Applies the limits for the next calls and starts a fresh watch (call before each driver call). */
  arm(timeMs: number, memoryBytes: number, stackBytes: number): void {
    const w = this.watch;
    w.limitMs = timeMs;
    w.ceiling = memoryBytes;
    w.baseBytes = this.memoryBytes();
    w.lastIndex = NaN;
    w.reason = null;
    const stack = Math.min(stackBytes, MAX_EFFECTIVE_STACK_BYTES);
    // QuickJS's own allocation limit stops single huge native allocations (which never reach the
    // interrupt handler) near the ceiling; the handler stops the gradual growth it misses.
    if (this.applied.memory !== memoryBytes) this.runtime.setMemoryLimit(Math.max(8 * 1024 * 1024, memoryBytes - this.initialBytes));
    if (this.applied.stack !== stack) this.runtime.setMaxStackSize(stack);
    this.applied = { memory: memoryBytes, stack };
  }

  private shouldInterrupt(): boolean {
    const w = this.watch;
    const now = performance.now();
    const index = this.cursor();
    if (index !== w.lastIndex) {
      w.lastIndex = index;
      w.callStart = now;
      this.progress?.observed(index);
    }
    const bytes = this.memory.buffer.byteLength;
    let reason: Watch['reason'] = null;
    if (bytes > w.ceiling && bytes > w.baseBytes) reason = 'memory';
    else if (now - w.callStart > this.budgetMs(index)) reason = 'timeout';
    if (reason) w.reason = reason;
    return reason !== null;
  }

  /** The time a call at this cursor may run: host work gets a generous budget. */
  budgetMs(index: number): number {
    return index === HOST_PHASE ? Math.max(this.watch.limitMs, HOST_PHASE_MS) : this.watch.limitMs;
  }

  /** Which limit the interrupt handler enforced since the last arm() (null: none). */
  lastReason(): 'timeout' | 'memory' | null {
    return this.watch.reason;
  }

  /** The index the driver is evaluating (read from WebAssembly memory; works even when dead). */
  cursor(): number {
    if (this.cell.buffer !== this.memory.buffer) this.cell = new Int32Array(this.memory.buffer, this.cellOffset, 1);
    return this.cell[0];
  }

  /** Marks a host-side phase (e.g. compiling) so that it gets its own time budget. */
  setCursor(index: number): void {
    this.cursor();
    this.cell[0] = index;
    this.watch.lastIndex = NaN;
    this.watch.reason = null;
    this.progress?.host(index, this.budgetMs(index));
  }

  /** Size of the module's WebAssembly memory, in bytes. */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** True when promise jobs are queued (an async script): the context should be replaced. */
  hasPendingJob(): boolean {
    return !this.dead && this.runtime.hasPendingJob();
  }

  /** Calls a driver method; string and number results come back as host values (anything else as null). */
  callDriver(method: string, args: DriverArg[]): CallOutcome<string | number | null> {
    const fn = this.methods.get(method);
    if (!fn) throw new Error(`unknown driver method ${method}`);
    return this.invoke(fn, this.driver, args, (h) => {
      const type = this.context.typeof(h);
      return type === 'string' ? this.context.getString(h) : type === 'number' ? this.context.getNumber(h) : null;
    });
  }

  /** Evaluates global code (the expression form of a script); the handle is the caller's to dispose. */
  evalGlobal(code: string, filename: string): CallOutcome<QuickJSHandle> {
    return this.guard(() => this.context.evalCode(code, filename, { type: 'global' }), (h) => h, false);
  }

  /** Evaluates a script's text as a program in its own function scope; returns its completion value. */
  evalProgram(text: string): CallOutcome<QuickJSHandle> {
    return this.invoke(this.wrapper, this.context.undefined, [text], (h) => h, false);
  }

  /** Installs a compiled script function (or null) in the driver. */
  setFunction(slot: number, fn: QuickJSHandle | null): CallOutcome<string | number | null> {
    return this.callDriver('setFn', [slot, fn ?? null]);
  }

  private invoke<T>(fn: QuickJSHandle, self: QuickJSHandle, args: DriverArg[], read: (h: QuickJSHandle) => T, dispose = true): CallOutcome<T> {
    const ctx = this.context;
    const made: QuickJSHandle[] = [];
    try {
      return this.guard(() => {
        const handles = args.map((a) => {
          if (a === null) return ctx.null;
          if (typeof a === 'boolean') return a ? ctx.true : ctx.false;
          if (typeof a === 'number') return made[made.push(ctx.newNumber(a)) - 1];
          if (typeof a === 'string') return made[made.push(ctx.newString(a)) - 1];
          return a;
        });
        return ctx.callFunction(fn, self, handles);
      }, read, dispose);
    } finally {
      if (!this.dead) for (const h of made) h.dispose();
    }
  }

  private guard<T>(run: () => ReturnType<QuickJSContext['callFunction']>, read: (h: QuickJSHandle) => T, dispose = true): CallOutcome<T> {
    if (this.dead) return { ok: false, kind: 'dead', name: '', message: 'the sandbox has stopped', stack: '' };
    let result: ReturnType<QuickJSContext['callFunction']>;
    try {
      result = run();
    } catch (error) {
      this.dead = true;
      return { ok: false, kind: 'dead', name: '', message: error instanceof Error ? error.message : String(error), stack: '' };
    }
    if (result.error) {
      const info = this.errorInfo(result.error);
      // dump() already released a thrown promise.
      if (result.error.alive) result.error.dispose();
      const reason = this.watch.reason;
      const kind = info.message === 'interrupted' && reason ? reason : 'error';
      return { ok: false, kind, name: info.name, message: info.message, stack: info.stack };
    }
    const handle = result.value;
    try {
      return { ok: true, value: read(handle) };
    } finally {
      if (dispose) handle.dispose();
    }
  }

  /** Name, message and stack of an error value (script code it triggers, e.g. toJSON, runs under the same watch). */
  errorInfo(handle: QuickJSHandle): { name: string; message: string; stack: string } {
    try {
      const d: unknown = this.context.dump(handle);
      if (d && typeof d === 'object') {
        const o = d as Record<string, unknown>;
        return { name: String(o.name ?? ''), message: String(o.message ?? ''), stack: String(o.stack ?? '') };
      }
      return { name: '', message: String(d), stack: '' };
    } catch {
      return { name: '', message: 'an exception that cannot be shown', stack: '' };
    }
  }

  /**
   * Frees the runtime and context (not the module: dropping it lets its memory go). True when
   * everything was freed cleanly, so the module can host a new sandbox.
   */
  dispose(): boolean {
    if (this.dead) return false;
    this.dead = true;
    try {
      for (const h of this.methods.values()) h.dispose();
      this.driver.dispose();
      this.wrapper.dispose();
      this.context.dispose();
      this.runtime.dispose();
      return true;
    } catch {
      // QuickJS can abort on objects left behind by an out-of-memory failure: drop the module.
      return false;
    }
  }
}
