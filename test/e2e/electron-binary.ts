import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Finds the Electron binary without `require('electron')` (which would try to download it):
 * `ELECTRON_EXEC_PATH`, else node_modules/electron/path.txt + dist/. Null when absent.
 */
export function electronBinary(root = process.cwd()): string | null {
  const fromEnv = process.env.ELECTRON_EXEC_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    const rel = readFileSync(join(root, 'node_modules/electron/path.txt'), 'utf8').trim();
    const bin = join(root, 'node_modules/electron/dist', rel);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** The Chromium to drive for the bridge project. */
export function chromiumBinary(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** The better-sqlite3 build the desktop app needs (`npm run native:electron`), or null when missing. */
export function electronSqliteBinding(root = process.cwd()): string | null {
  try {
    const abi = readFileSync(join(root, 'node_modules/electron/abi_version'), 'utf8').trim();
    const file = join(root, 'native', `electron-${abi}`, 'better_sqlite3.node');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}
