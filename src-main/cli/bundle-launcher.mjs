// The built CLI's entry, copied by scripts/build-cli.mjs to dist/cli/ldap-sync.js (bin/ldap-sync.mjs
// imports it). It runs the CLI bundle, dist/cli/ldap-sync.cjs, with a V8 code cache: Node 20 has no
// compile cache of its own (module.enableCompileCache is Node 22), and compiling the ~2 MB bundle's
// functions is about a fifth of a run's start-up CPU. The cache is kept per command (the first word
// of the command line), so that `--version` reads only what `--version` compiled, and is written
// once, at the exit of a successful run, when there was none or V8 refused it (another Node).
// Anything that goes wrong with the cache only costs the compile: it is never reported.
import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const file = fileURLToPath(new URL('./ldap-sync.cjs', import.meta.url));

/** The cache's name for this command line: its first word (`simulate`, `version`...). */
function commandKey(argv) {
  const word = argv.find((a) => !a.startsWith('-')) ?? argv[0]?.replace(/^-+/, '') ?? 'none';
  return /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'other';
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

/** Runs the bundle with the code cache; returns its exports. */
function runCached() {
  const { source, id } = readBundle();
  const cacheFile = join(dirname(file), 'v8-cache', `${commandKey(process.argv.slice(2))}-${id}-${process.versions.v8}-${process.arch}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The CommonJS wrapper on the bundle's first line, so line numbers (and the source map) still match.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        const data = script.createCachedData();
        mkdirSync(dirname(cacheFile), { recursive: true });
        // Written beside and renamed: a concurrent run reads the old file or the new one, never half of one.
        const partial = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(partial, data);
        renameSync(partial, cacheFile);
      } catch {
        // A read-only install: every run compiles, as without a cache.
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

// With --debug, stack traces name the TypeScript sources: Node applies source maps to modules it
// loads itself, not to vm scripts, so the bundle is required (and compiled) as usual.
const cli = process.argv.includes('--debug') ? createRequire(import.meta.url)(file) : runCached();
// The CLI's promise: settles when the command is done (failures to load reject it, for bin/ldap-sync.mjs).
await cli.done;
