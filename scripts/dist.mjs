#!/usr/bin/env node
/**
 * `npm run dist`: builds the installers for this platform (Linux: deb and AppImage; macOS: dmg;
 * Windows: nsis; see electron-builder.yml). Before electron-builder runs, it makes sure of what
 * electron-builder would otherwise fetch or rebuild wrongly:
 * 1. the Electron runtime (node_modules/electron/dist, or ELECTRON_OVERRIDE_DIST_PATH), downloaded
 *    with electron's own installer when missing;
 * 2. Electron's SQLite module (native/electron-<abi>/, by scripts/build-electron-native.mjs);
 * 3. a fresh `electron-vite build` into out/.
 * Then electron-builder packs that local Electron (electronDist), so it downloads no other copy.
 * Arguments go to electron-builder (`--dir`, `--linux deb`, `-c.directories.output=DIR`, ...).
 * A missing prerequisite ends the script with exit code 1 and one line on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;
/** Where electron's installer puts the executable inside dist/, when path.txt is not there yet. */
const PLATFORM_EXECUTABLE = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' };

const electronVersion = readJson(join(ELECTRON_DIR, 'package.json'), 'Electron is not installed (node_modules/electron is missing): run `npm install`.').version;
const electronDist = ensureElectron();
run(process.execPath, [join(ROOT, 'scripts', 'build-electron-native.mjs')]);
run(process.execPath, [packageBin('electron-vite'), 'build']);
run(process.execPath, [packageBin('electron-builder'), '--config', 'electron-builder.yml', `-c.electronDist=${electronDist}`, ...process.argv.slice(2)]);

/** The folder holding the Electron runtime; downloads it when missing and allowed, else stops. */
function ensureElectron() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const distDir = override || join(ELECTRON_DIR, 'dist');
  if (hasExecutable(distDir)) return distDir;
  const where = override ? `ELECTRON_OVERRIDE_DIST_PATH (${override})` : 'node_modules/electron/dist';
  if (override || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    stop(`Cannot build the installers: the Electron ${electronVersion} runtime is not in ${where}. Run \`npm run dist\` on a machine with internet access (it downloads Electron first), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${electronVersion}.`);
  }
  const install = spawnSync(process.execPath, [join(ELECTRON_DIR, 'install.js')], { cwd: ELECTRON_DIR, encoding: 'utf8', timeout: DOWNLOAD_TIMEOUT_MS });
  if (hasExecutable(distDir)) return distDir;
  stop(`Cannot build the installers: the Electron ${electronVersion} runtime is not in ${where} and could not be downloaded (${downloadFailure(install)}). Run \`npm run dist\` on a machine with internet access, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${electronVersion}.`);
}

/** Whether `distDir` holds an Electron executable (named by electron's path.txt when present). */
function hasExecutable(distDir) {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : (PLATFORM_EXECUTABLE[process.platform] ?? 'electron');
  return relative !== '' && existsSync(join(distDir, relative));
}

/** Why electron's installer failed, in a few words (its own output is a stack trace). */
function downloadFailure(result) {
  if (result.error?.code === 'ETIMEDOUT') return `no answer within ${DOWNLOAD_TIMEOUT_MS / 60_000} minutes`;
  if (result.error) return result.error.message;
  const error = /^\s*(?:\w+)?Error: (.+)$/m.exec(`${result.stderr ?? ''}\n${result.stdout ?? ''}`);
  return error ? error[1].trim() : `electron's installer exited with code ${result.status ?? result.signal}`;
}

/** The JS entry of a package's bin (run with this Node, so no shell or .cmd shim is involved). */
function packageBin(name) {
  const dir = join(ROOT, 'node_modules', name);
  const pkg = readJson(join(dir, 'package.json'), `${name} is not installed: run \`npm install\`.`);
  return join(dir, typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[name]);
}

/** Runs a step with inherited output; a failed step ends this script with its exit code. */
function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) stop(`Cannot build the installers: ${args[0]} could not be started (${result.error.message}).`);
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function readJson(file, missing) {
  if (!existsSync(file)) stop(missing);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** Prints `message` (one line) and exits 1. */
function stop(message) {
  console.error(message);
  process.exit(1);
}
