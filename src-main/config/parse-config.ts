import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { DEFAULT_TIMEOUT_SECONDS, type ServerDraft } from '../../src-shared/domain/server';
import { validateServerDraft } from '../../src-shared/domain/validate-server';
import { AppError, type FieldIssue } from '../../src-shared/errors';
import { checkScriptsOrIssues, type ScriptChecker } from '../services/script-checks';
import { serverNameKey } from '../store/servers-repo';
import { loadTrustedCertificates } from './certificates';
import { ConfigFileSchema, MappingEntrySchema, ScriptsEntrySchema, ServerEntrySchema } from './config-schema';
import { jsonPath, topField } from './json-path';
import { findJsonSyntaxProblem } from './json-syntax';
import { parseBindPassword, type ConfigPasswordRef } from './password-reference';
import { zodIssuesToFields } from './zod-issues';

/** One server of a checked config file: the form values and, if given, where its password lives. */
export interface ConfigServer {
  draft: ServerDraft;
  /** Undefined when the file has no `bindPassword`: an existing server keeps its stored one. */
  password?: ConfigPasswordRef;
}

/** A config file that passed every check. */
export interface ParsedConfig {
  servers: ConfigServer[];
}

/** The outcome of checking a config file: the servers, or every problem found. */
export type ParseOutcome = { ok: true; config: ParsedConfig } | { ok: false; issues: FieldIssue[] };

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** The folder relative `file` paths are resolved against (the config file's folder). */
  baseDir: string;
  /** Compiles scripts (`ScriptEngine.check`); without it, script syntax is not checked. */
  checkScripts?: ScriptChecker;
}

function jsonSyntaxIssue(text: string, err: Error): FieldIssue {
  const found = findJsonSyntaxProblem(text);
  if (found) return { path: '(root)', message: `not valid JSON (line ${found.line}, column ${found.column}): ${found.message}` };
  return { path: '(root)', message: `not valid JSON: ${err.message.slice(0, 200)}` };
}

const asString = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
const asBool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

/** Orders problems as the entry's keys are written (missing keys last), as an author reads the file. */
function sortByKeyOrder(issues: FieldIssue[], entry: Record<string, unknown>, prefix: string): void {
  const order = Object.keys(entry);
  const rank = (i: FieldIssue) => {
    const at = order.indexOf(topField(i.path.slice(prefix.length + 1)));
    return at < 0 ? order.length : at;
  };
  issues.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** Checks one entry; returns its server (when it has no problem) and every problem found in it. */
function parseServer(raw: unknown, index: number, opts: ParseConfigOptions, duplicate?: FieldIssue): { server?: ConfigServer; issues: FieldIssue[] } {
  const { baseDir } = opts;
  const prefix = `servers[${index}]`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { issues: [{ path: prefix, message: 'must be an object with "name", "url", "searchFilter"…' }] };
  }
  const entry = raw as Record<string, unknown>;
  const shape = ServerEntrySchema.safeParse(raw);
  const issues = shape.success ? [] : zodIssuesToFields(shape.error.issues, raw, ['servers', index]);
  const badFields = new Set(issues.map((i) => topField(i.path.slice(prefix.length + 1))));

  let password: ConfigPasswordRef | undefined;
  if (entry.bindPassword !== undefined) {
    const p = parseBindPassword(entry.bindPassword, `${prefix}.bindPassword`, baseDir);
    issues.push(...p.issues);
    password = p.ref;
  }

  const { certs: trustedCertificates, issues: certIssues } = loadTrustedCertificates(entry.trustedCertificates, `${prefix}.trustedCertificates`, baseDir);
  issues.push(...certIssues);

  // Semantic checks run on a best-effort draft; fields with shape problems are reported once, above.
  const d = shape.success ? shape.data : undefined;
  const mappingIn = MappingEntrySchema.safeParse(entry.mapping ?? {});
  const scriptsIn = ScriptsEntrySchema.safeParse(entry.scripts ?? {});
  const draft: ServerDraft = {
    name: d?.name ?? asString(entry.name, ''),
    url: d?.url ?? asString(entry.url, ''),
    startTls: d?.startTls ?? asBool(entry.startTls, false),
    bindAnonymously: d?.bindAnonymously ?? asBool(entry.bindAnonymously, false),
    bindDn: d?.bindDn ?? asString(entry.bindDn, ''),
    searchFilter: d?.searchFilter ?? asString(entry.searchFilter, ''),
    timeoutSeconds: d?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    trustedCertificates,
    mapping: { ...defaultMapping(), ...(mappingIn.success ? mappingIn.data : {}) },
    scripts: { ...defaultScripts(), ...(scriptsIn.success ? scriptsIn.data : {}) },
  };
  for (const issue of validateServerDraft(draft)) {
    if (badFields.has(topField(issue.path))) continue;
    issues.push({ path: `${prefix}.${issue.path}`, message: issue.message });
  }
  // Scripts are compiled only when their shape is right; a script already reported is not reported twice.
  if (opts.checkScripts && scriptsIn.success) {
    const reported = new Set(issues.map((i) => i.path));
    issues.push(...checkScriptsOrIssues(opts.checkScripts, draft.scripts, `${prefix}.scripts`).filter((i) => !reported.has(i.path)));
  }
  if (duplicate) issues.push(duplicate);
  sortByKeyOrder(issues, entry, prefix);
  return issues.length ? { issues } : { server: { draft, password }, issues };
}

/**
 * Checks a config file's text completely and reports every problem with its JSON path
 * (`servers[1].url: ...`): JSON syntax, shape (unknown keys included), plaintext passwords,
 * unreadable certificates, the form's own rules and duplicate names.
 */
export function parseConfig(text: string, opts: ParseConfigOptions): ParseOutcome {
  let doc: unknown;
  const json = text.replace(/^\uFEFF/, '');
  try {
    doc = JSON.parse(json);
  } catch (err) {
    return { ok: false, issues: [jsonSyntaxIssue(json, err as Error)] };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '(root)', message: 'must be an object like { "servers": [ ... ] }' }] };
  }
  const top = ConfigFileSchema.safeParse(doc);
  const issues = top.success ? [] : zodIssuesToFields(top.error.issues, doc);
  const rawServers = (doc as { servers?: unknown }).servers;
  const servers: ConfigServer[] = [];
  if (Array.isArray(rawServers)) {
    const firstByName = new Map<string, number>();
    rawServers.forEach((raw, i) => {
      const name = (raw as { name?: unknown } | null)?.name;
      let duplicate: FieldIssue | undefined;
      if (typeof name === 'string' && name.trim() !== '') {
        const first = firstByName.get(serverNameKey(name));
        if (first === undefined) firstByName.set(serverNameKey(name), i);
        else duplicate = { path: jsonPath(['servers', i, 'name']), message: `"${name.trim()}" is already the name of servers[${first}] (names are compared ignoring case)` };
      }
      const r = parseServer(raw, i, opts, duplicate);
      issues.push(...r.issues);
      if (r.server) servers.push(r.server);
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, config: { servers } };
}

/**
 * Reads and checks a config file; throws AppError('INVALID_INPUT') listing every problem.
 * With `checkScripts`, scripts that do not compile are problems too (with line and column).
 */
export function readConfigFile(file: string, opts: { checkScripts?: ScriptChecker } = {}): ParsedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    throw new AppError('INVALID_INPUT', `Cannot read the config file ${path} (${why}).`);
  }
  const outcome = parseConfig(text, { baseDir: dirname(path), checkScripts: opts.checkScripts });
  if (outcome.ok) return outcome.config;
  const n = outcome.issues.length;
  throw new AppError('INVALID_INPUT', `${path} has ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was applied.`, outcome.issues);
}

/**
 * True when a server of a config file has a `"scripts"` key, i.e. the file needs the script
 * engine to be checked (without one, every server gets the default scripts, known to compile).
 */
export function configMentionsScripts(file: string): boolean {
  try {
    const doc = JSON.parse(readFileSync(resolve(file), 'utf8').replace(/^\uFEFF/, '')) as { servers?: unknown };
    return Array.isArray(doc?.servers) && doc.servers.some((s) => s !== null && typeof s === 'object' && Object.hasOwn(s, 'scripts'));
  } catch {
    return false; // readConfigFile reports why the file cannot be read or parsed
  }
}
