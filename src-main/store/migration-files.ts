import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../src-shared/errors';
import { findAppRoot } from '../native/app-root';
import type { Migration } from './migrate';

const FILE_PATTERN = /^(\d{4})_[a-z0-9][a-z0-9_-]*\.sql$/;

/**
 * The folder holding the `NNNN_name.sql` files: `migrations/` next to the running module
 * (`src-main/store/migrations` from the sources, `out/main/migrations` in the bundle, where
 * the build copies them), else `<appRoot>/src-main/store/migrations` (a bundle run from a
 * checkout). Throws AppError('STORE_REFUSED') when neither exists.
 */
export function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findAppRoot(here);
  const candidates = [join(here, 'migrations'), ...(root ? [join(root, 'src-main', 'store', 'migrations')] : [])];
  const found = candidates.find((dir) => existsSync(dir) && statSync(dir).isDirectory());
  if (!found) {
    throw new AppError('STORE_REFUSED', `The store's migration files are missing (looked in ${candidates.join(' and ')}). Reinstall LDAP Sync Studio.`);
  }
  return found;
}

/** Reads every `NNNN_name.sql` file of `dir`, ordered by version. Other file names are refused. */
export function loadMigrations(dir: string = migrationsDir()): Migration[] {
  const migrations = readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .map((name): Migration => {
      const match = FILE_PATTERN.exec(name);
      if (!match) throw new AppError('STORE_REFUSED', `Migration file ${join(dir, name)} is not named NNNN_name.sql.`);
      return { version: Number(match[1]), name, sql: readFileSync(join(dir, name), 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (i > 0 && migrations[i - 1].version === m.version) {
      throw new AppError('STORE_REFUSED', `Migrations ${migrations[i - 1].name} and ${m.name} in ${dir} have the same version.`);
    }
  });
  return migrations;
}
