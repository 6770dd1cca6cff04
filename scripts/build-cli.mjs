#!/usr/bin/env node
// Builds the shipped `ldap-sync` CLI into dist/cli/ with esbuild: `npm install` runs it (prepare),
// so the CLI starts with no TypeScript transpiler. Output:
//   dist/cli/ldap-sync.cjs    the whole CLI in one CommonJS file: each command's code is wrapped by
//                             esbuild and runs only when the command is imported (`import()`)
//   dist/cli/<worker>.cjs     one file per WORKER_NAMES entry of src-main/threads/start-worker.ts
//   dist/cli/ldap-sync.js, dist/cli/<worker>.js
//                             copies of src-main/cli/bundle-launcher.cjs, which run the .cjs file of the
//                             same name with a V8 code cache kept in dist/cli/v8-cache/ (bin/ldap-sync.mjs
//                             imports ldap-sync.js; start-worker.ts starts <worker>.js)
//   dist/cli/package.json     {"type": "commonjs"}, for those .js launchers
//   dist/cli/migrations/      the store's NNNN_name.sql files (migration-files.ts looks next to itself)
// Native and WebAssembly packages stay external and load from node_modules.
// One file per thread rather than ES module chunks: Node 20 caches no compiled code for ES modules,
// and the module loader itself (resolve, link, compile per chunk) cost a run's main thread ~100 ms.
import { cpSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist', 'cli');
const WORKERS_DIR = join(ROOT, 'src-main', 'workers');
const START_WORKER = join(ROOT, 'src-main', 'threads', 'start-worker.ts');

/** Packages loaded from node_modules at run time: a native addon and WebAssembly payloads. */
const EXTERNAL = ['better-sqlite3', 'quickjs-emscripten', 'quickjs-emscripten-core', '@jitl/*'];

/**
 * Packages a worker must not load: each run starts both workers while the main thread loads the
 * app, so their start-up is on every run's path (zod alone costs a worker ~30-50 ms). Shared
 * modules pull them in easily (a constant next to a zod schema), hence the check.
 */
const WORKER_FORBIDDEN = {
  'read-worker': /(^|\/)node_modules\/(zod|acorn|better-sqlite3|quickjs-emscripten[^/]*|@jitl\/[^/]+)\//,
  'script-worker': /(^|\/)node_modules\/(zod|ldapts|better-sqlite3)\//,
  // Started for each apply while main writes the plan rows, so its start-up is mostly hidden. zod is
  // allowed: runs-repo's constants share src-shared/domain/sync.ts with its schemas.
  'apply-worker': /(^|\/)node_modules\/(acorn|ldapts|quickjs-emscripten[^/]*|@jitl\/[^/]+)\//,
};

/**
 * `import()` of a Node built-in or an external package becomes a `require()` (esbuild's wrapper
 * gives it the shape of a module namespace). A real `import()` cannot stay in the bundles: the
 * launcher runs them as vm scripts, where `import()` from code loaded with a code cache fails
 * ("A dynamic import callback was not specified", Node 20).
 */
const dynamicImportAsRequire = {
  name: 'dynamic-import-as-require',
  setup(b) {
    const external = (path) => path.startsWith('node:') || builtinModules.includes(path) || EXTERNAL.some((e) => (e.endsWith('/*') ? path.startsWith(e.slice(0, -1)) : path === e || path.startsWith(`${e}/`)));
    b.onResolve({ filter: /.*/ }, (args) => (args.kind === 'dynamic-import' && external(args.path) ? { path: args.path, namespace: 'require-external' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'require-external' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** Fails the build when a bundle still holds a real `import()` (see {@link dynamicImportAsRequire}). */
function checkNoDynamicImport(metafile) {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    const left = output.imports.filter((i) => i.kind === 'dynamic-import' && i.external).map((i) => i.path);
    if (left.length === 0) continue;
    process.stderr.write(`build-cli: ${file} would import(${left.join(', ')}) at run time, which fails in the launcher's vm scripts; use a static import or a bundled module\n`);
    rmSync(BUILD, { recursive: true, force: true });
    process.exit(1);
  }
}

/** The worker names, read from start-worker.ts so the list has one home. */
function workerNames() {
  const source = readFileSync(START_WORKER, 'utf8');
  const list = /export const WORKER_NAMES = \[([^\]]*)\]/.exec(source);
  if (!list) throw new Error(`build-cli: cannot find WORKER_NAMES in ${START_WORKER}`);
  return [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

const CLI_ENTRY = join(ROOT, 'src-main', 'cli', 'main.ts');
const LAUNCHER = join(ROOT, 'src-main', 'cli', 'bundle-launcher.cjs');
const entryPoints = {};
for (const name of workerNames()) {
  const file = join(WORKERS_DIR, `${name}.ts`);
  if (!existsSync(file)) {
    process.stderr.write(`build-cli: the worker "${name}" is listed in WORKER_NAMES but ${relative(ROOT, file)} does not exist: add it or remove it from the list\n`);
    process.exit(1);
  }
  entryPoints[name] = file;
}

const started = Date.now();
// Built beside dist/cli and swapped in at the end, so a CLI running from dist/cli meanwhile (a test
// in another process) keeps its files, and a failed build leaves the previous bundle in place.
const BUILD = `${OUT}.tmp-${process.pid}`;
rmSync(BUILD, { recursive: true, force: true });
const NAMES = ['ldap-sync', ...Object.keys(entryPoints)];
let result;
try {
  result = await build({
    entryPoints: { 'ldap-sync': CLI_ENTRY, ...entryPoints },
    absWorkingDir: ROOT,
    outdir: BUILD,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // Each entry is one self-contained file (no chunks): what a command or a worker imports only
    // through `import()` is wrapped by esbuild and runs when imported.
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    // The launcher runs each file as a CommonJS function (exports, require, module, __filename,
    // __dirname); import.meta.url is the bundle's own URL (start-worker.ts finds the workers next to it).
    define: { 'import.meta.url': '__ldapSyncModuleUrl' },
    banner: { js: "'use strict'; var __ldapSyncModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    external: EXTERNAL,
    plugins: [dynamicImportAsRequire],
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    // Less to read and for V8 to scan at each start; names are kept (no renaming), so stack traces
    // and class names read as before (and `--debug` maps them to the sources).
    minifyWhitespace: true,
    minifySyntax: true,
  });
} catch {
  // esbuild has already printed the errors with their file and line.
  rmSync(BUILD, { recursive: true, force: true });
  process.stderr.write('build-cli: the CLI bundle failed to build (see the errors above); dist/cli is unchanged\n');
  process.exit(1);
}
for (const name of NAMES) cpSync(LAUNCHER, join(BUILD, `${name}.js`));
// The launchers are CommonJS: a worker started from one never loads Node's ES module loader.
writeFileSync(join(BUILD, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
cpSync(join(ROOT, 'src-main', 'store', 'migrations'), join(BUILD, 'migrations'), { recursive: true });
checkNoDynamicImport(result.metafile);
checkStartupWeight(result.metafile);
checkWorkerWeight(result.metafile);
// When it was built: the tests' global setup rebuilds when a source is newer.
writeFileSync(join(BUILD, 'BUILT'), `${new Date().toISOString()}\n`);
const old = `${OUT}.old-${process.pid}`;
try {
  if (existsSync(OUT)) renameSync(OUT, old);
  renameSync(BUILD, OUT);
} catch (err) {
  // Another build swapped its own bundle in at the same moment: it is as new as this one.
  rmSync(BUILD, { recursive: true, force: true });
  if (!existsSync(OUT)) throw err;
}
rmSync(old, { recursive: true, force: true });
process.stdout.write(`build-cli: dist/cli built in ${Date.now() - started} ms (${NAMES.join(', ')})\n`);

/**
 * The inputs and external packages `entry` loads at its start: its static imports (import
 * statements and require calls), followed through the bundled files; `import()` is not followed.
 */
function staticClosure(metafile, entry) {
  const STATIC = new Set(['import-statement', 'require-call']);
  const inputs = new Set();
  const externals = new Set();
  const pending = [relative(ROOT, entry).split('\\').join('/')];
  while (pending.length) {
    const file = pending.pop();
    if (inputs.has(file)) continue;
    inputs.add(file);
    for (const imp of metafile.inputs[file]?.imports ?? []) {
      if (!STATIC.has(imp.kind)) continue;
      if (imp.external) externals.add(imp.path);
      else pending.push(imp.path);
    }
  }
  return { inputs, externals };
}

/** The package name of a node_modules path or a bare import (`@jitl/x`, `zod`). */
function packageOf(path) {
  const bare = path.replace(/^.*node_modules\//, '');
  return bare.split('/').slice(0, bare.startsWith('@') ? 2 : 1).join('/');
}

/** Fails the build when a worker entry would load (statically) a package {@link WORKER_FORBIDDEN} lists for it. */
function checkWorkerWeight(metafile) {
  for (const [name, forbidden] of Object.entries(WORKER_FORBIDDEN)) {
    if (!(name in entryPoints)) continue;
    const { inputs, externals } = staticClosure(metafile, entryPoints[name]);
    const found = new Set();
    for (const input of inputs) if (forbidden.test(input)) found.add(packageOf(input));
    for (const ext of externals) if (forbidden.test(`node_modules/${ext}/`)) found.add(packageOf(ext));
    if (found.size) {
      process.stderr.write(
        `build-cli: the worker ${name}.js would load ${[...found].join(', ')} at its start. Import what it needs from modules ` +
          `that do not import ${[...found].join(' or ')} (e.g. src-shared/domain/script-names.ts instead of mapping.ts).\n`,
      );
      rmSync(BUILD, { recursive: true, force: true });
      process.exit(1);
    }
  }
}

/**
 * Fails the build when `ldap-sync --version` / `--help` would load a heavy package: everything the
 * CLI entry imports statically (not through `import()`) runs at every start. In the one-file bundle,
 * what is imported only through `import()` is wrapped by esbuild and runs when imported.
 */
function checkStartupWeight(metafile) {
  const HEAVY = /(^|\/)node_modules\/(zod|ldapts|better-sqlite3|quickjs-emscripten[^/]*|@jitl\/[^/]+|acorn)\//;
  const HEAVY_EXTERNAL = /^(better-sqlite3|quickjs-emscripten|@jitl\/)/;
  const { inputs, externals } = staticClosure(metafile, CLI_ENTRY);
  const heavy = [...[...inputs].filter((i) => HEAVY.test(i)), ...[...externals].filter((e) => HEAVY_EXTERNAL.test(e))];
  if (process.env.LDAP_SYNC_BUILD_DEBUG) {
    for (const file of inputs) if (!file.includes('node_modules')) process.stderr.write(`startup: ${file}\n`);
  }
  if (heavy.length) {
    const names = [...new Set(heavy.map(packageOf))];
    process.stderr.write(
      `build-cli: ldap-sync --version would load ${names.join(', ')} at start. Import heavy modules inside a command's run() ` +
        `(await import(...)), not at the top of src-main/cli files. Set LDAP_SYNC_BUILD_DEBUG=1 to list the start-up files.\n`,
    );
    rmSync(BUILD, { recursive: true, force: true });
    process.exit(1);
  }
}
