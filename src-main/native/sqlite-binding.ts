import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../src-shared/errors';
import { findAppRoot } from './app-root';

/** What {@link nativeBindingPath} needs to know about the running process. */
export interface BindingContext {
  versions: Partial<Pick<NodeJS.ProcessVersions, 'electron' | 'modules'>>;
  /** The app root; found from this module's location when omitted. */
  appRoot?: string;
}

/**
 * The better-sqlite3 binary to load. Under Electron that is the one built for Electron's ABI
 * by `npm run native:electron` (`<appRoot>/native/electron-<abi>/better_sqlite3.node`); under
 * plain Node it is undefined, meaning better-sqlite3's own build in node_modules.
 * Throws AppError('STORE_REFUSED') naming the fix when the Electron build is missing.
 */
export function nativeBindingPath(context: BindingContext = { versions: process.versions }): string | undefined {
  const { electron, modules } = context.versions;
  if (!electron) return undefined;
  const root = context.appRoot ?? findAppRoot();
  if (!root) {
    throw new AppError('STORE_REFUSED', 'Cannot find the LDAP Sync Studio app folder (no package.json named ldap-sync-studio above the running code), so the SQLite module for Electron cannot be located.');
  }
  const file = join(root, 'native', `electron-${modules}`, 'better_sqlite3.node');
  if (!existsSync(file)) {
    throw new AppError(
      'STORE_REFUSED',
      `The SQLite module for Electron ${electron} (ABI ${modules}) is missing: ${file}. Run \`npm run native:electron\` in ${root} to build it.`,
    );
  }
  return file;
}

/** Opens a SQLite file with the better-sqlite3 binary that matches the running runtime. */
export function openDatabase(file: string, options: { readonly?: boolean; fileMustExist?: boolean } = {}): Database.Database {
  const nativeBinding = nativeBindingPath();
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
