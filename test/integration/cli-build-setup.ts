// Vitest global setup: the tests that spawn `ldap-sync` run the bundle in dist/cli, so it is rebuilt
// here, once and before any test file starts, whenever a source is newer than it. A plain
// `npx vitest run test/integration/cli-usage.test.ts` after an edit then tests the edited code.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INPUTS = ['src-main', 'src-shared', 'scripts/build-cli.mjs', 'package.json'];

/** Builds dist/cli with scripts/build-cli.mjs unless it is newer than every file it is built from. */
export default function setup(): void {
  const stale = staleBecause();
  if (!stale) return;
  process.stderr.write(`ldap-sync: rebuilding dist/cli (${stale})\n`);
  try {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    // The tests that do not spawn the CLI still run; those that do fail on the missing or old bundle.
    process.stderr.write('ldap-sync: the CLI bundle did not build (errors above): the tests that spawn the CLI will fail\n');
  }
}

function staleBecause(): string | undefined {
  let built: number;
  try {
    built = statSync(join(ROOT, 'dist', 'cli', 'BUILT')).mtimeMs;
  } catch {
    return 'not built yet';
  }
  const newer = INPUTS.flatMap((p) => files(join(ROOT, p))).find((f) => statSync(f).mtimeMs > built);
  return newer ? `${newer.slice(ROOT.length)} changed` : undefined;
}

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((e) => files(join(path, e.name)));
}
