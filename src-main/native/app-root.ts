import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `name` in the app's own package.json; used to recognise the app root. */
export const APP_PACKAGE_NAME = 'ldap-sync-studio';

/**
 * The folder holding the app's package.json (the repository root, or the root of the
 * packaged app). Found by walking up from `startDir` (default: this module's folder), so it
 * works from the sources (vitest, tsx) and from the bundle in `out/main/`.
 * Returns undefined when no such folder exists above `startDir`.
 */
export function findAppRoot(startDir: string = moduleDir()): string | undefined {
  let dir = startDir;
  for (;;) {
    if (isAppRoot(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isAppRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === APP_PACKAGE_NAME;
  } catch {
    return false;
  }
}

function moduleDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}
