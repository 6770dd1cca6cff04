#!/usr/bin/env node
/**
 * `npm run screenshots`: builds the app and runs the end-to-end specs in Chromium with
 * UPDATE_SCREENSHOTS=1, so the specs that photograph screens (walk.spec.ts at 1024x700 and 1440x900,
 * and the flows in servers, preview, offline and sync) write their pictures into docs/screenshots/.
 * Extra arguments go to Playwright, e.g. `npm run screenshots -- test/e2e/walk.spec.ts`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env, shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(bin('electron-vite'), ['build']);
run(bin('playwright'), ['test', '--project=chromium', ...process.argv.slice(2)], { ...process.env, UPDATE_SCREENSHOTS: '1' });
console.log('Screenshots written to docs/screenshots/.');
