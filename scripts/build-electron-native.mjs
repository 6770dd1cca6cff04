#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into `native/electron-<abi>/better_sqlite3.node`
 * (see src-main/native/sqlite-binding.ts), leaving node_modules/better-sqlite3/build — the
 * Node build that the CLI and the tests use — untouched: the package is copied to a temporary
 * folder and compiled there with node-gyp against Electron's headers.
 *
 * Usage: node scripts/build-electron-native.mjs [--force]
 * Exit codes: 0 built or already up to date, 1 failed (one clear line on stderr says why).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST_URL = 'https://electronjs.org/headers';
const SQLITE_DIR = join(ROOT, 'node_modules', 'better-sqlite3');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
/** Used only when neither electron/abi_version nor node-abi's registry is installed. */
const KNOWN_ABIS = { 43: '148', 44: '149', 45: '150' };
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;
const BUILD_TIMEOUT_MS = 20 * 60_000;

/** A failure that ends the script with one line of explanation. */
class Stop extends Error {}

process.exitCode = main();

function main() {
  try {
    return build(process.argv.includes('--force'));
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    console.error(error.message);
    return 1;
  }
}

function build(force) {
  const electronVersion = readJson(join(ELECTRON_DIR, 'package.json'), 'Electron is not installed (node_modules/electron is missing): run `npm install`.').version;
  const sqliteVersion = readJson(join(SQLITE_DIR, 'package.json'), 'better-sqlite3 is not installed: run `npm install`.').version;
  const abi = electronAbi(electronVersion);
  const target = join(ROOT, 'native', `electron-${abi}`, 'better_sqlite3.node');
  const shown = relative(ROOT, target);

  if (!force && existsSync(target) && statSync(target).mtimeMs > statSync(join(SQLITE_DIR, 'package.json')).mtimeMs) {
    console.log(`SQLite module for Electron ${electronVersion} (ABI ${abi}) is up to date: ${shown}`);
    return 0;
  }

  const nodeGyp = findNodeGyp();
  const before = treeChecksum(join(SQLITE_DIR, 'build'));
  const work = mkdtempSync(join(tmpdir(), 'ldap-sync-native-'));
  try {
    const source = join(work, 'better-sqlite3');
    cpSync(SQLITE_DIR, source, { recursive: true, filter: (path) => !isBuildOutput(path) });
    const args = [`--target=${electronVersion}`, `--dist-url=${DIST_URL}`, '--runtime=electron', `--arch=${process.arch}`];

    const install = runNodeGyp(nodeGyp, ['install', '--ensure', ...args], source, DOWNLOAD_TIMEOUT_MS);
    if (!install.ok) {
      throw new Stop(
        `Electron headers could not be downloaded from ${DIST_URL} (${downloadFailure(install)}). The CLI and tests keep working with the Node build; run \`npm run native:electron\` on a machine with internet access to build the desktop app's SQLite module.`,
      );
    }

    console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (ABI ${abi}); this takes a few minutes…`);
    const rebuild = runNodeGyp(nodeGyp, ['rebuild', '--release', '--jobs=max', ...args], source, BUILD_TIMEOUT_MS);
    if (!rebuild.ok) {
      console.error(tail(rebuild.output, 40));
      throw new Stop(`Building better-sqlite3 for Electron ${electronVersion} failed (${rebuild.reason}); the compiler output is above. node-gyp needs Python and a C++ toolchain (see its README).`);
    }

    const built = join(source, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) throw new Stop(`node-gyp reported success but produced no ${relative(work, built)}.`);
    if (!readFileSync(built).includes(`node_register_module_v${abi}`)) {
      throw new Stop(`The module node-gyp built is not for ABI ${abi} (it lacks node_register_module_v${abi}), so it was not installed. Delete node-gyp's cached headers for ${electronVersion} (~/.cache/node-gyp/${electronVersion}) and try again.`);
    }
    mkdirSync(dirname(target), { recursive: true });
    cpSync(built, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    console.log(`Built ${shown}`);
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (treeChecksum(join(SQLITE_DIR, 'build')) !== before) {
      console.error('WARNING: node_modules/better-sqlite3/build changed during this script; run `npm rebuild better-sqlite3` to restore the Node build.');
      process.exitCode = 1;
    }
  }
}

/** Electron's NODE_MODULE_VERSION: from electron's own abi_version file, else node-abi, else a small table. */
function electronAbi(version) {
  const major = Number(version.split('.')[0]);
  const shipped = join(ELECTRON_DIR, 'abi_version');
  if (existsSync(shipped)) {
    const abi = readFileSync(shipped, 'utf8').trim();
    if (/^\d+$/.test(abi)) return abi;
  }
  const registry = join(ROOT, 'node_modules', 'node-abi', 'abi_registry.json');
  if (existsSync(registry)) {
    const entry = JSON.parse(readFileSync(registry, 'utf8')).find((e) => e.runtime === 'electron' && Number(e.target.split('.')[0]) === major);
    if (entry) return String(entry.abi);
  }
  if (KNOWN_ABIS[major]) return KNOWN_ABIS[major];
  throw new Stop(`Cannot tell the ABI of Electron ${version}: neither node_modules/electron/abi_version nor node-abi knows it.`);
}

/** node-gyp's CLI script: the one npm runs scripts with, else the one bundled with npm, else a local one. */
function findNodeGyp() {
  const candidates = [];
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv) candidates.push(fromEnv);
  const npmCli = process.env.npm_execpath;
  if (npmCli) candidates.push(join(dirname(npmCli), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const npm = join(dir, 'npm');
    if (dir && existsSync(npm)) {
      const real = realpathSync(npm); // e.g. /usr/lib/node_modules/npm/bin/npm-cli.js
      candidates.push(join(dirname(real), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
      candidates.push(join(dir, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
    }
  }
  const nodeDir = dirname(process.execPath);
  candidates.push(join(nodeDir, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const found = candidates.find((file) => file.endsWith('.js') && existsSync(file));
  if (!found) throw new Stop('node-gyp was not found (it ships with npm); reinstall npm or run `npm install -g node-gyp`.');
  return found;
}

/** Runs node-gyp with Electron's headers: npm's `nodedir` setting (Node's own headers) is removed. */
function runNodeGyp(nodeGyp, args, cwd, timeout) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|arch)$/i.test(key)) delete env[key];
  }
  const result = spawnSync(process.execPath, [nodeGyp, ...args], { cwd, env, timeout, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error?.code === 'ETIMEDOUT') return { ok: false, output, reason: `no answer within ${Math.round(timeout / 1000)} s` };
  if (result.error) return { ok: false, output, reason: result.error.message };
  if (result.status !== 0) return { ok: false, output, reason: `node-gyp exited with code ${result.status ?? result.signal}` };
  return { ok: true, output, reason: '' };
}

/** The cause of a failed header download, in a few words. */
function downloadFailure({ output, reason }) {
  if (/related to network connectivity/.test(output)) return 'host not found: no network access or a proxy is needed';
  const http = /(\d{3}) response downloading/.exec(output);
  if (http) return `HTTP ${http[1]}`;
  const stack = /gyp ERR! stack \w*Error: (.+)/.exec(output);
  return stack ? stack[1].trim() : reason;
}

/** A SHA-256 over every file path and content below `dir`; null when `dir` does not exist. */
function treeChecksum(dir) {
  if (!existsSync(dir)) return null;
  const hash = createHash('sha256');
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(`${relative(dir, path)}\0`).update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

function isBuildOutput(path) {
  const rel = relative(SQLITE_DIR, path).split(/[\\/]/)[0];
  return rel === 'build' || rel === 'node_modules';
}

function readJson(file, missing) {
  if (!existsSync(file)) throw new Stop(missing);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function tail(text, lines) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
