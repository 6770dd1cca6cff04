import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';
import { AppError } from '../../src-shared/errors';

/** The folder name Electron derives from package.json `name`; shared by the app and the CLI. */
export const APP_DIR_NAME = 'ldap-sync-studio';

/** The store's file name inside the app's user-data folder. */
export const STORE_FILE_NAME = 'store.sqlite';

/** Inputs of {@link defaultStorePath}; each defaults to the running process's value. */
export interface PlatformContext {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/**
 * The store inside the app's user-data folder, computed without Electron so that the CLI and
 * the desktop app agree (it equals `join(app.getPath('userData'), 'store.sqlite')`):
 * Linux `$XDG_CONFIG_HOME` (or `~/.config`), macOS `~/Library/Application Support`,
 * Windows `%APPDATA%`, then `ldap-sync-studio/store.sqlite`.
 */
export function defaultStorePath(context: PlatformContext = {}): string {
  const platform = context.platform ?? process.platform;
  const env = context.env ?? process.env;
  const home = context.home ?? homedir();
  if (platform === 'win32') {
    const appData = nonEmpty(env.APPDATA) ?? win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, APP_DIR_NAME, STORE_FILE_NAME);
  }
  if (platform === 'darwin') {
    return posix.join(home, 'Library', 'Application Support', APP_DIR_NAME, STORE_FILE_NAME);
  }
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  const configHome = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config');
  return posix.join(configHome, APP_DIR_NAME, STORE_FILE_NAME);
}

/**
 * The store file to use: the `--db` flag, then `LDAP_SYNC_DB`, then {@link defaultStorePath}.
 * A relative flag or variable is taken relative to the current directory.
 */
export function resolveStorePath(options: { db?: string; env?: NodeJS.ProcessEnv } & Omit<PlatformContext, 'env'> = {}): string {
  const env = options.env ?? process.env;
  if (options.db !== undefined) {
    if (options.db.trim() === '') {
      throw new AppError('INVALID_INPUT', '--db needs the path of a store file.', [{ path: 'db', message: 'Give the path of a store file.' }]);
    }
    return absolute(options.db);
  }
  const fromEnv = nonEmpty(env.LDAP_SYNC_DB);
  if (fromEnv) return absolute(fromEnv);
  return defaultStorePath({ platform: options.platform, env, home: options.home });
}

function absolute(file: string): string {
  return file === ':memory:' ? file : resolve(file);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value : undefined;
}
