#!/usr/bin/env node
/**
 * `npm run audit:electron`: runs Electronegativity (Doyensec's Electron security checks) over the
 * built app in out/ and fails on any finding that the allow-list does not justify. Each allow-list
 * entry names a check id and a file under the input folder (`*` matches within a name, for hashed
 * chunks), with the reason it is accepted
 * (docs/security.md explains each). An entry that matches nothing fails too, so the list cannot
 * silently outlive the code it excuses, and so does a file Electronegativity could not parse.
 *
 * Usage: node scripts/audit-electron.mjs [--input DIR] [--allow FILE]
 *   (defaults: out/ and scripts/audit-electron-allow.json). Exit 0 clean, 1 findings, 2 cannot run.
 *
 * Two things are adjusted so the audit is deterministic and offline:
 * - Electronegativity's parser needs TypeScript's JS API, which its hoisted dependency would load from
 *   this project's TypeScript 7 (native, no JS API); `typescript` resolves to Electronegativity's own copy.
 * - It downloads translations and Electron's release list; `got` is replaced by a stub that fails at
 *   once, and the release check (AvailableSecurityFixesGlobalCheck) is not run: Electron is pinned in
 *   package.json and updated deliberately.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const ENEG = join(ROOT, 'node_modules', '@doyensec', 'electronegativity');
/** Checks that would need the network; see the header comment. */
const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

const args = parseArgs(process.argv.slice(2));
const input = resolve(args.input ?? join(ROOT, 'out'));
const allowFile = resolve(args.allow ?? join(ROOT, 'scripts', 'audit-electron-allow.json'));
if (!existsSync(input)) fail(`There is nothing to audit at ${input}: build the app first (npm run build).`);
if (!existsSync(join(ENEG, 'package.json'))) fail('@doyensec/electronegativity is not installed: run `npm install`.');
const allowList = readAllowList(allowFile);

redirectModules();
const run = require(join(ENEG, 'dist', 'runner.js'));
const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const quiet = silenceConsole();
let report;
try {
  report = await run({ input, customScan: [], excludeFromScan: EXCLUDED_CHECKS.map((c) => c.toLowerCase()), isRelative: true, electronVersionOverride: electronVersion }, false);
} finally {
  quiet.restore();
}

const findings = report.issues.map((issue) => ({
  check: issue.id,
  file: relative(input, resolve(input, issue.file)).split('\\').join('/'),
  where: `${issue.location.line}:${issue.location.column}`,
  level: `${issue.severity.name}/${issue.confidence.name}`,
  description: issue.description,
}));
const unparsed = report.errors.filter((e) => !e.tolerable);
const allowedBy = (f) => allowList.find((a) => a.check === f.check && fileMatches(a.file, f.file));
const open = findings.filter((f) => !allowedBy(f));
const stale = allowList.filter((a) => !findings.some((f) => allowedBy(f) === a));

console.log(`Electronegativity ${readJson(join(ENEG, 'package.json')).version} on ${relative(ROOT, input) || '.'} (Electron ${electronVersion}): ${findings.length} finding(s), ${findings.length - open.length} justified in ${relative(ROOT, allowFile)}.`);
for (const f of findings.filter(allowedBy)) console.log(`  justified  ${f.check}  ${f.file}:${f.where}  ${allowedBy(f).why}`);
for (const f of open) console.log(`  FINDING    ${f.check} (${f.level})  ${f.file}:${f.where}  ${f.description}`);
for (const a of stale) console.log(`  STALE      ${a.check}  ${a.file}: this allow-list entry matches no finding any more; remove it.`);
for (const e of unparsed) console.log(`  UNPARSED   ${relative(input, e.file)}: ${e.message}`);
if (open.length || stale.length || unparsed.length) {
  console.log('Fix each FINDING in the code, or justify it in the allow-list and docs/security.md; remove STALE entries; UNPARSED files were not audited.');
  process.exit(1);
}

/** An allow-list `file`: a path under the input folder; `*` stands for any characters but `/` (hashed chunk names). */
function fileMatches(pattern, file) {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*');
  return new RegExp(`^${source}$`).test(file);
}

/** `typescript` from Electronegativity's own copy, `got` as an offline stub (see the header). */
function redirectModules() {
  const Module = require('node:module');
  const typescript = require.resolve(join(ENEG, 'node_modules', 'typescript'));
  const gotStub = join(dirname(fileURLToPath(import.meta.url)), 'audit-electron-offline-got.cjs');
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, ...rest) {
    if (request === 'typescript') return typescript;
    if (request === 'got') return gotStub;
    return original.call(this, request, ...rest);
  };
}

/** Electronegativity logs progress and network notes itself; keep the report to our own lines. */
function silenceConsole() {
  const { log, warn } = console;
  console.log = () => {};
  console.warn = () => {};
  return { restore: () => Object.assign(console, { log, warn }) };
}

/** The allow-list: [{ check, file, why }], each with a non-empty reason. */
function readAllowList(file) {
  if (!existsSync(file)) fail(`The allow-list ${file} does not exist.`);
  const list = readJson(file);
  if (!Array.isArray(list)) fail(`${file} must be a JSON array of { "check", "file", "why" } entries.`);
  list.forEach((entry, i) => {
    for (const key of ['check', 'file', 'why']) {
      if (typeof entry?.[key] !== 'string' || entry[key].trim() === '') fail(`${file}: entry ${i + 1} needs a non-empty "${key}".`);
    }
  });
  return list;
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 1) {
    const name = { '--input': 'input', '--allow': 'allow' }[argv[i]];
    if (!name || argv[i + 1] === undefined) fail(`Unknown or incomplete argument ${argv[i]}. Usage: node scripts/audit-electron.mjs [--input DIR] [--allow FILE]`);
    out[name] = argv[(i += 1)];
  }
  return out;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail(`${file} is not valid JSON (${error.message}).`);
  }
}

/** Prints `message` and exits 2: the audit could not run. */
function fail(message) {
  console.error(message);
  process.exit(2);
}
