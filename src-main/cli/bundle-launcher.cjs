// The built CLI's entries: scripts/build-cli.mjs copies this file to dist/cli/ldap-sync.js (which
// bin/ldap-sync.mjs imports) and to dist/cli/<worker>.js for each worker thread (dist/cli/package.json
// makes them CommonJS: a worker then never starts Node's ES module loader). Each copy runs the
// CommonJS bundle of the same name (ldap-sync.cjs, read-worker.cjs...) with a V8 code cache: Node 20
// has no compile cache of its own (module.enableCompileCache is Node 22), and compiling the bundles'
// functions was about a fifth of a run's start-up CPU.
// - The CLI's cache is kept per command (the first word of the command line), so that `--version`
//   reads only what `--version` compiled; it is written at the exit of a successful run.
// - A worker's cache is written just after the worker has started (a worker is terminated, it
//   never sees an exit event).
// Each is written once, when there was none or V8 refused it (another Node). Anything that goes
// wrong with a cache only costs the compile: it is never reported.
'use strict';
const { isAscii } = require('node:buffer');
const { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { basename, dirname, join } = require('node:path');
const vm = require('node:vm');
const { isMainThread } = require('node:worker_threads');

// QuickJS, the script sandbox, is WebAssembly: V8 runs it with its baseline compiler and recompiles
// each function that has run long enough with TurboFan, on background threads. At V8's default
// budget QuickJS's own start-up made ~75 functions "hot": ~0.1-0.2 s of CPU in compiler threads at
// every run, and a short run waited for them at its exit. At 20 times the budget, what a script
// runs a lot is still recompiled (bench:scripts: the same entries/s; at 100 times, 5-9% fewer).
// Set before anything is compiled or read from a code cache, and the same in every run: V8 refuses
// a cache made under other flags (the flags are the process's: the worker threads' caches agree).
if (isMainThread) {
  try {
    require('node:v8').setFlagsFromString('--wasm-tiering-budget=36000000');
  } catch {
    // Not allowed (an embedder that froze the flags): the default budget.
  }
}

const name = basename(__filename, '.js');
const file = join(__dirname, `${name}.cjs`);

/** The cache's name for this command line: its first word (`simulate`, `version`...). */
function commandKey(argv) {
  const word = argv.find((a) => !a.startsWith('-')) ?? argv[0]?.replace(/^-+/, '') ?? 'none';
  return /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'other';
}

/**
 * A short hash of the Node and V8 options this process runs with: V8 refuses a cache made under
 * other flags, so runs with and without, say, --cpu-prof keep a cache each instead of rewriting one.
 */
function optionsKey() {
  const text = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`.trim();
  if (text === '') return 'plain';
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** Reads the bundle; its size and time identify this build in the cache's file name. */
function readBundle() {
  const fd = openSync(file, 'r');
  try {
    const { size, mtimeMs } = fstatSync(fd);
    const bytes = readFileSync(fd);
    // esbuild writes ASCII: decoded as Latin-1 it becomes a one-byte string at once, without UTF-8 decoding.
    return { source: isAscii(bytes) ? bytes.latin1Slice() : bytes.toString('utf8'), id: `${size}-${Math.floor(mtimeMs)}` };
  } finally {
    closeSync(fd);
  }
}

/** Writes what V8 has compiled of `script` so far as the cache `cacheFile`. */
function saveCache(script, cacheFile) {
  try {
    // Checked first: in a read-only install, serializing the cache (~10 ms) would be wasted at every run.
    mkdirSync(dirname(cacheFile), { recursive: true });
    accessSync(dirname(cacheFile), constants.W_OK);
    const data = script.createCachedData();
    // Written beside and renamed: a concurrent run reads the old file or the new one, never half of one.
    const partial = `${cacheFile}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(partial, data);
    renameSync(partial, cacheFile);
  } catch {
    // A read-only install: every run compiles, as without a cache.
  }
}

/** Runs the bundle with the code cache; returns its exports. */
function runCached() {
  const { source, id } = readBundle();
  const key = isMainThread ? commandKey(process.argv.slice(2)) : 'thread';
  const cacheFile = join(dirname(file), 'v8-cache', `${name}-${key}-${id}-${optionsKey()}-${process.versions.v8}-${process.arch}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The CommonJS wrapper on the bundle's first line, so its line numbers stay as they are.
  // The bundles hold no `import()` (scripts/build-cli.mjs makes them require() calls): code run
  // from a code cache has no dynamic import callback in Node 20.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    if (isMainThread) process.once('exit', (code) => code === 0 && saveCache(script, cacheFile));
    else setTimeout(() => saveCache(script, cacheFile), 0).unref();
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

// With --debug, stack traces name the TypeScript sources: Node applies source maps to modules it
// loads itself, not to vm scripts, so the bundle is required (and compiled) as usual.
const bundle = process.argv.includes('--debug') ? require(file) : runCached();
// The CLI's promise: settles when the command is done (bin/ldap-sync.mjs awaits it). A worker's
// bundle exports nothing: it runs on its messages.
exports.done = bundle.done;
