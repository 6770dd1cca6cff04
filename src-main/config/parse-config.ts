import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { DEFAULT_TIMEOUT_SECONDS, type ServerDraft } from '../../src-shared/domain/server';
import { DEFAULT_SYNC_SETTINGS, ScheduleEvery, type RegistrantsNotFound, type SyncSettings } from '../../src-shared/domain/sync';
import { validateServerDraft } from '../../src-shared/domain/validate-server';
import { AppError, type FieldIssue } from '../../src-shared/errors';
import { checkScriptsOrIssues, type ScriptChecker } from '../services/script-checks';
import { nameKey } from '../store/name-key';
import { serverNameKey } from '../store/servers-repo';
import { loadTrustedCertificates } from './certificates';
import { ConfigFileSchema, MappingEntrySchema, OrganizationEntrySchema, ScriptsEntrySchema, ServerEntrySchema, SyncEntrySchema } from './config-schema';
import { describeJson, jsonPath, topField } from './json-path';
import { findJsonSyntaxProblem } from './json-syntax';
import { parseBindPassword, type ConfigPasswordRef } from './password-reference';
import { zodIssuesToFields } from './zod-issues';

/** One server of a checked config file: the form values and, if given, where its password lives. */
export interface ConfigServer {
  /** The form values; `defaultOrgId` is null here: apply resolves `defaultOrg` against the store. */
  draft: ServerDraft;
  /** Undefined when the file has no `bindPassword`: an existing server keeps its stored one. */
  password?: ConfigPasswordRef;
  /** The name of the organization created users go to when no Org name script places them (null: none). */
  defaultOrg?: string | null;
}

/** One organization of a checked config file (names are resolved against the file and the store by apply). */
export interface ConfigOrganization {
  name: string;
  /** The parent organization's name; null for a top-level organization. */
  parent: string | null;
  /** The name of the LDAP server its users sign in with; null for local passwords. */
  ldapServer: string | null;
}

/** A config file that passed every check. A key the file does not have is left alone by apply. */
export interface ParsedConfig {
  servers: ConfigServer[];
  /** Undefined when the file has no `organizations`. */
  organizations?: ConfigOrganization[];
  /** Role names; undefined when the file has no `roles`. */
  roles?: string[];
  /** The global sync settings (omitted keys at their defaults); undefined when the file has no `sync`. */
  sync?: SyncSettings;
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
    createUsers: d?.createUsers ?? asBool(entry.createUsers, false),
    defaultOrgId: null,
    offline: false,
    snapshotId: null,
    scriptTests: [],
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
  const defaultOrg = d?.defaultOrg?.trim() || null;
  if (d && d.defaultOrg !== null && !defaultOrg) issues.push({ path: `${prefix}.defaultOrg`, message: 'must be the name of an organization, or null for none' });
  if (duplicate) issues.push(duplicate);
  sortByKeyOrder(issues, entry, prefix);
  return issues.length ? { issues } : { server: { draft, password, defaultOrg }, issues };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A name as config files write them: a string that is not blank once trimmed. */
function nameIssue(value: unknown, path: string, what: string): FieldIssue | null {
  if (typeof value !== 'string') return { path, message: value === undefined ? `is required (${what})` : `must be ${what}, not ${describeJson(value)}` };
  if (value.trim() === '') return { path, message: 'must not be empty' };
  if (value.trim().length > 200) return { path, message: 'is too long (at most 200 characters)' };
  return null;
}

const AUTH_MESSAGE = 'must be "local" (the users sign in with a local password) or { "ldapServer": NAME } (they sign in with that LDAP server)';

/** Checks one `organizations` entry. */
function parseOrganization(raw: unknown, index: number, duplicate?: FieldIssue): { org?: ConfigOrganization; issues: FieldIssue[] } {
  const prefix = `organizations[${index}]`;
  if (!isObject(raw)) return { issues: [{ path: prefix, message: 'must be an object like { "name": "Sales", "auth": "local" }' }] };
  const shape = OrganizationEntrySchema.safeParse(raw);
  const issues = shape.success ? [] : zodIssuesToFields(shape.error.issues, raw, ['organizations', index]);
  const reported = new Set(issues.map((i) => i.path));
  const name = nameIssue(raw.name, `${prefix}.name`, 'a string');
  if (name && !reported.has(name.path)) issues.push(name);
  let parent: string | null = null;
  if (typeof raw.parent === 'string') {
    parent = raw.parent.trim();
    if (parent === '') issues.push({ path: `${prefix}.parent`, message: 'must be the name of an organization, or null for a top-level one' });
    else if (typeof raw.name === 'string' && nameKey(parent) === nameKey(raw.name)) issues.push({ path: `${prefix}.parent`, message: `"${parent}" cannot be its own parent` });
  }
  let ldapServer: string | null = null;
  const auth = raw.auth;
  if (auth === undefined) issues.push({ path: `${prefix}.auth`, message: `is required: ${AUTH_MESSAGE.replace(/^must be /, '')}` });
  else if (auth === 'local') ldapServer = null;
  else if (isObject(auth) && Object.keys(auth).length === 1 && 'ldapServer' in auth) {
    const problem = nameIssue(auth.ldapServer, `${prefix}.auth.ldapServer`, 'the name of an LDAP server');
    if (problem) issues.push(problem);
    else ldapServer = (auth.ldapServer as string).trim();
  } else issues.push({ path: `${prefix}.auth`, message: AUTH_MESSAGE });
  if (duplicate) issues.push(duplicate);
  sortByKeyOrder(issues, raw, prefix);
  return issues.length ? { issues } : { org: { name: (raw.name as string).trim(), parent, ldapServer }, issues };
}

/** Checks the role names of `roles`. */
function parseRoles(raw: unknown[]): { roles: string[]; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const roles: string[] = [];
  const first = new Map<string, number>();
  raw.forEach((value, i) => {
    const problem = nameIssue(value, `roles[${i}]`, 'a role name');
    if (problem) return void issues.push(problem);
    const name = (value as string).trim();
    const seen = first.get(nameKey(name));
    if (seen !== undefined) return void issues.push({ path: `roles[${i}]`, message: `"${name}" is already roles[${seen}] (names are compared ignoring case)` });
    first.set(nameKey(name), i);
    roles.push(name);
  });
  return { roles, issues };
}

const REGISTRANTS_MESSAGE = 'must be { "action": "deny" } or { "action": "placeInOrg", "org": NAME }';

function parseRegistrantsNotFound(raw: unknown, path: string): { value?: RegistrantsNotFound; issues: FieldIssue[] } {
  if (!isObject(raw)) return { issues: [{ path, message: REGISTRANTS_MESSAGE }] };
  const issues: FieldIssue[] = [];
  const allowed = raw.action === 'placeInOrg' ? ['action', 'org'] : ['action'];
  for (const key of Object.keys(raw)) if (!allowed.includes(key)) issues.push({ path: jsonPath([...path.split('.'), key]), message: 'unknown key' });
  if (raw.action === 'deny') return issues.length ? { issues } : { value: { action: 'deny' }, issues };
  if (raw.action !== 'placeInOrg') {
    const message = raw.action === undefined ? 'is required ("deny" or "placeInOrg")' : 'must be "deny" (refuse the sign-in) or "placeInOrg" (create the user in a local organization)';
    return { issues: [{ path: `${path}.action`, message }, ...issues] };
  }
  const org = nameIssue(raw.org, `${path}.org`, 'the name of an organization');
  if (org) issues.push(org);
  return issues.length ? { issues } : { value: { action: 'placeInOrg', org: (raw.org as string).trim() }, issues };
}

/** Checks `sync`; omitted keys take their defaults. */
function parseSync(raw: unknown): { sync?: SyncSettings; issues: FieldIssue[] } {
  if (!isObject(raw)) return { issues: [{ path: 'sync', message: 'must be an object like { "every": "12h" }' }] };
  const shape = SyncEntrySchema.safeParse(raw);
  const issues = shape.success ? [] : zodIssuesToFields(shape.error.issues, raw, ['sync']);
  const defaults = structuredClone(DEFAULT_SYNC_SETTINGS);
  let every = defaults.every;
  if (typeof raw.every === 'string') {
    const parsed = ScheduleEvery.safeParse(raw.every);
    if (parsed.success) every = parsed.data;
    else issues.push({ path: 'sync.every', message: `"${raw.every}": ${parsed.error.issues[0].message}` });
  }
  let registrantsNotFound = defaults.registrantsNotFound;
  if (raw.registrantsNotFound !== undefined) {
    const r = parseRegistrantsNotFound(raw.registrantsNotFound, 'sync.registrantsNotFound');
    issues.push(...r.issues);
    if (r.value) registrantsNotFound = r.value;
  }
  sortByKeyOrder(issues, raw, 'sync');
  if (issues.length || !shape.success) return { issues };
  return { sync: { every, deactivationLimit: { ...defaults.deactivationLimit, ...shape.data.deactivationLimit }, registrantsNotFound }, issues };
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
  if (!isObject(doc)) {
    return { ok: false, issues: [{ path: '(root)', message: 'must be an object like { "servers": [ ... ] }' }] };
  }
  const top = ConfigFileSchema.safeParse(doc);
  const issues = top.success ? [] : zodIssuesToFields(top.error.issues, doc);
  if (!['servers', 'organizations', 'roles', 'sync'].some((k) => Object.hasOwn(doc as object, k)) && issues.length === 0) {
    issues.push({ path: '(root)', message: 'is empty: give "servers", "organizations", "roles" or "sync"' });
  }
  const config: ParsedConfig = { servers: [] };
  const rawServers = doc.servers;
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
      if (r.server) config.servers.push(r.server);
    });
  }
  const rawOrgs = doc.organizations;
  if (Array.isArray(rawOrgs)) {
    const firstByName = new Map<string, number>();
    config.organizations = [];
    rawOrgs.forEach((raw, i) => {
      const name = isObject(raw) ? raw.name : undefined;
      let duplicate: FieldIssue | undefined;
      if (typeof name === 'string' && name.trim() !== '') {
        const first = firstByName.get(nameKey(name));
        if (first === undefined) firstByName.set(nameKey(name), i);
        else duplicate = { path: `organizations[${i}].name`, message: `"${name.trim()}" is already the name of organizations[${first}] (names are compared ignoring case)` };
      }
      const r = parseOrganization(raw, i, duplicate);
      issues.push(...r.issues);
      if (r.org) config.organizations!.push(r.org);
    });
  }
  if (Array.isArray(doc.roles)) {
    const r = parseRoles(doc.roles);
    issues.push(...r.issues);
    config.roles = r.roles;
  }
  if (doc.sync !== undefined) {
    const r = parseSync(doc.sync);
    issues.push(...r.issues);
    config.sync = r.sync;
  }
  return issues.length ? { ok: false, issues } : { ok: true, config };
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
