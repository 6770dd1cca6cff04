#!/usr/bin/env node
// ldap-sync: the command line of LDAP Sync Studio. Runs the TypeScript sources directly through
// tsx, so `npx ldap-sync` and `npm run ldap-sync -- ...` work right after `npm install`, no build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const tsconfig = fileURLToPath(new URL('../tsconfig.node.json', import.meta.url));
// Use the project's tsconfig whatever the current folder is (tsx would look in the cwd).
register({ tsconfig: existsSync(tsconfig) ? tsconfig : false });

try {
  await import(new URL('../src-main/cli/main.ts', import.meta.url).href);
} catch (err) {
  // Only failures to load the CLI get here (e.g. a missing native module); the CLI reports its own errors.
  process.stderr.write(`error: ldap-sync could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
  if (process.argv.includes('--debug') && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
}
