#!/usr/bin/env node
/**
 * `npm start`: makes sure the Electron runtime and Electron's SQLite module are present, then runs
 * `electron-vite preview` (build and start), or `electron-vite dev` with `--dev`. Other arguments
 * go to electron-vite. Prints one clear message, never a stack trace, when something is missing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

const args = process.argv.slice(2);
const dev = args.includes('--dev');
const passThrough = args.filter((a) => a !== '--dev');

const electron = ensureElectron();
const native = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-electron-native.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (native.status !== 0) process.exit(native.status ?? 1);
runElectronVite(electron);

/** The Electron executable; downloads it with electron's own installer when missing, or exits 1. */
function ensureElectron() {
  const override = process.env.ELECTRON_EXEC_PATH;
  if (override) {
    if (existsSync(override)) return override;
    stop(`ELECTRON_EXEC_PATH is set to ${override}, which does not exist. Point it at an Electron executable or unset it.`);
  }
  if (!existsSync(join(ELECTRON_DIR, 'package.json'))) {
    stop('Electron is not installed (node_modules/electron is missing): run `npm install`.');
  }
  const found = installedElectron();
  if (found) return found;

  console.log('Downloading the Electron runtime…');
  const install = spawnSync(process.execPath, [join(ELECTRON_DIR, 'install.js')], {
    cwd: ELECTRON_DIR,
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  const downloaded = installedElectron();
  if (downloaded) return downloaded;
  stop(
    `LDAP Sync Studio needs the Electron runtime, which could not be downloaded here (${downloadFailure(install)}). On a machine with internet access, \`npm install && npm start\` fetches it. Without it you can still use the CLI (\`npx ldap-sync --help\`) and run the tests (\`npm test\`).`,
  );
}

/** The executable named by node_modules/electron/path.txt, as electron's index.js finds it, if present. */
function installedElectron() {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(ELECTRON_DIR, 'dist');
  const executable = join(distDir, relative);
  return relative && existsSync(executable) ? executable : undefined;
}

/** Why electron's installer failed, in a few words (its output is a stack trace). */
function downloadFailure(result) {
  if (result.error?.code === 'ETIMEDOUT') return `the download did not finish within ${DOWNLOAD_TIMEOUT_MS / 60_000} minutes`;
  if (result.error) return result.error.message;
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const error = /^\s*(?:\w+)?Error: (.+)$/m.exec(output);
  const version = readJson(join(ELECTRON_DIR, 'package.json')).version;
  if (error) return `downloading Electron ${version} failed: ${error[1].trim()}`;
  return `electron's installer exited with code ${result.status ?? result.signal} without installing Electron ${version}`;
}

/** Runs electron-vite with the located Electron, forwarding stdio, signals and the exit code. */
function runElectronVite(electronPath) {
  const pkg = readJson(join(ROOT, 'node_modules', 'electron-vite', 'package.json'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin['electron-vite'];
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', bin), dev ? 'dev' : 'preview', ...passThrough], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_EXEC_PATH: electronPath },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => stop(`electron-vite could not be started (${error.message}).`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    stop(`${file} is missing or unreadable: run \`npm install\`.`);
  }
}

/** Prints `message` and exits 1. */
function stop(message) {
  console.error(message);
  process.exit(1);
}
