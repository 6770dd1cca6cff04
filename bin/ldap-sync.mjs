#!/usr/bin/env node
// ldap-sync: the command line of LDAP Sync Studio. Runs the bundle in dist/cli/, which `npm install`
// builds (the prepare script, scripts/build-cli.mjs): no TypeScript transpiler at run time.
// From the sources, for development: `npx tsx src-main/cli/main.ts ...`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/ldap-sync.js', import.meta.url);

if (!existsSync(bundle)) {
  // A git checkout without `npm install`, or dist/ deleted.
  process.stderr.write('error: ldap-sync is not built (dist/cli/ldap-sync.js is missing): run npm install or npm run build:cli\n');
  process.exitCode = 1;
} else {
  // With --debug, stack traces name the TypeScript sources (dist/cli has source maps).
  if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
  try {
    // The launcher (CommonJS) starts the CLI and exports its promise, which settles when the command
    // is done. Required, not imported: an import() of CommonJS first scans it for its exports.
    const launched = createRequire(import.meta.url)(fileURLToPath(bundle));
    await launched.done;
  } catch (err) {
    // Only failures to load the CLI get here (e.g. a missing native module); the CLI reports its own errors.
    process.stderr.write(`error: ldap-sync could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
    if (process.argv.includes('--debug') && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = 1;
  }
}
