import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { ScriptTestCase } from '../../src-shared/domain/script-tests';
import type { ServerDraft } from '../../src-shared/domain/server';
import type { SyncSettings } from '../../src-shared/domain/sync';
import { AppError, type FieldIssue } from '../../src-shared/errors';
import { checkServerDraft, identityChanged } from '../services/servers-service';
import { nameKey } from '../store/name-key';
import { insertOrganization, listOrganizations, updateOrganization, type OrganizationRow } from '../store/organizations-repo';
import { findRoleByName, insertRole, renameRole } from '../store/roles-repo';
import { readSyncSettings, writeSyncSettings } from '../store/settings-repo';
import { findServerByName, insertServer, listServers, listTrusted, replaceTrusted, updateServer, type PasswordRef, type ServerRow } from '../store/servers-repo';
import { findSnapshotByName } from '../store/snapshots-repo';
import type { ConfigOrganization, ConfigScriptTest, ConfigServer, ParsedConfig } from './parse-config';

/** What applying a config file did (or, in a dry run, would do) to one server, organization or role. */
export type ApplyAction = 'created' | 'updated' | 'unchanged';

/** The outcome for one organization or role of the file. */
export interface NamedOutcome {
  name: string;
  action: ApplyAction;
}

/** The outcome for one server of the file. */
export interface ApplyOutcome {
  name: string;
  action: ApplyAction;
  /** True when the stored password was cleared because the scheme, host, port, TLS mode or bind DN changed. */
  passwordCleared: boolean;
}

/** The outcome of {@link applyConfig}. */
export interface ApplyResult {
  dryRun: boolean;
  servers: ApplyOutcome[];
  /** Present when the file has `organizations`. */
  organizations?: NamedOutcome[];
  /** Present when the file has `roles`. */
  roles?: NamedOutcome[];
  /** Present when the file has `sync`. */
  sync?: Exclude<ApplyAction, 'created'>;
  /** Keychain items no server refers to any more; the caller deletes them after the commit. Empty in a dry run. */
  releasedKeychainAccounts: string[];
}

/** Options of {@link applyConfig}. */
export interface ApplyOptions {
  /** Work out what would change and write nothing. */
  dryRun?: boolean;
  now?: () => Date;
  /** How to name the file in the message of a refused apply (default "The config file"). */
  source?: string;
}

interface Step {
  outcome: ApplyOutcome;
  row: ServerRow;
  draft: ServerDraft;
  released?: string;
  /** The default organization's name when it is created by this apply (its id is set after the organizations). */
  pendingDefaultOrg: string | null;
}

function sameRef(a: PasswordRef | null, b: PasswordRef | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function fingerprints(list: readonly { fingerprint256: string }[]): string {
  return [...new Set(list.map((c) => c.fingerprint256))].join(',');
}

function unchanged(db: Database.Database, old: ServerRow, row: ServerRow, draft: ServerDraft): boolean {
  const keys = ['name', 'url', 'startTls', 'bindAnonymously', 'bindDn', 'searchFilter', 'timeoutSeconds', 'pageSize', 'createUsers', 'defaultOrgId', 'offline', 'snapshotId', 'passwordClearedAt'] as const;
  return (
    keys.every((k) => old[k] === row[k]) &&
    JSON.stringify(old.mapping) === JSON.stringify(row.mapping) &&
    JSON.stringify(old.scripts) === JSON.stringify(row.scripts) &&
    JSON.stringify(old.scriptTests) === JSON.stringify(row.scriptTests) &&
    sameRef(old.passwordRef, row.passwordRef) &&
    fingerprints(listTrusted(db, old.id)) === fingerprints(draft.trustedCertificates)
  );
}

/** Whether the server is offline and which snapshot it has, after the apply (names already checked). */
function offlineAndSnapshot(db: Database.Database, server: ConfigServer, old: ServerRow | undefined): { offline: boolean; snapshotId: string | null } {
  const offline = server.offline ?? old?.offline ?? false;
  if (server.snapshot === undefined) return { offline, snapshotId: old?.snapshotId ?? null };
  return { offline, snapshotId: server.snapshot === null ? null : (findSnapshotByName(db, server.snapshot)?.id ?? null) };
}

const caseKey = (c: { script: string; name: string }) => `${c.script}\n${nameKey(c.name)}`;

/**
 * The file's test cases with ids: a case without one takes the id of the stored case of the same
 * script and name (so applying the same file twice changes nothing), else a new one.
 */
function withIds(cases: readonly ConfigScriptTest[], stored: readonly ScriptTestCase[]): ScriptTestCase[] {
  const given = new Set(cases.flatMap((c) => (c.id === undefined ? [] : [c.id])));
  const free = stored.filter((c) => !given.has(c.id));
  return cases.map((c) => {
    let id = c.id;
    if (id === undefined) {
      const k = free.findIndex((s) => caseKey(s) === caseKey(c));
      id = k >= 0 ? free.splice(k, 1)[0].id : randomUUID();
    }
    return ScriptTestCase.parse({ id, script: c.script, name: c.name, entry: c.entry, expected: c.expected });
  });
}

/**
 * Works out the new row of one server (create or update), without writing. A default organization
 * that exists is set by id; one this apply creates is pending (null until it exists).
 */
function plan(db: Database.Database, server: ConfigServer, at: string, orgs: OrgIndex): Step {
  const old = findServerByName(db, server.draft.name);
  // "offline", "snapshot" and "scriptTests" the file does not have: a new server gets the defaults,
  // an existing one keeps its own (set in the app or by an earlier file).
  const { offline, snapshotId } = offlineAndSnapshot(db, server, old);
  const scriptTests = server.scriptTests === undefined ? (old?.scriptTests ?? []) : withIds(server.scriptTests, old?.scriptTests ?? []);
  const checked = checkServerDraft({ ...server.draft, offline, snapshotId, scriptTests });
  const defaultOrg = server.defaultOrg ?? null;
  const stored = defaultOrg === null ? undefined : orgs.stored.get(nameKey(defaultOrg));
  const pendingDefaultOrg = defaultOrg !== null && !stored ? defaultOrg : null;
  const draft: ServerDraft = { ...checked, defaultOrgId: stored?.id ?? null };
  const { trustedCertificates: _certs, ...fields } = draft;
  if (!old) {
    const row: ServerRow = { id: randomUUID(), ...fields, passwordRef: server.password ?? null, passwordClearedAt: null, lastTest: null, createdAt: at, updatedAt: at };
    return { outcome: { name: draft.name, action: 'created', passwordCleared: false }, row, draft, pendingDefaultOrg };
  }
  const changedIdentity = identityChanged(old, draft);
  let passwordRef = old.passwordRef;
  let passwordClearedAt = old.passwordClearedAt;
  let passwordCleared = false;
  if (server.password) {
    passwordRef = server.password;
    passwordClearedAt = null;
  } else if (changedIdentity && old.passwordRef) {
    passwordRef = null;
    passwordCleared = true;
    passwordClearedAt = at;
  }
  const lastTest = changedIdentity || old.url !== draft.url ? null : old.lastTest;
  const row: ServerRow = { ...old, ...fields, passwordRef, passwordClearedAt, lastTest, updatedAt: at };
  if (pendingDefaultOrg === null && unchanged(db, old, row, draft)) {
    return { outcome: { name: draft.name, action: 'unchanged', passwordCleared: false }, row: old, draft, pendingDefaultOrg };
  }
  const released = old.passwordRef?.kind === 'keychain' && !sameRef(old.passwordRef, passwordRef) ? old.passwordRef.account : undefined;
  return { outcome: { name: draft.name, action: 'updated', passwordCleared }, row, draft, released, pendingDefaultOrg };
}

/** The organizations as they are and as the file wants them, by name key. */
interface OrgIndex {
  stored: Map<string, OrganizationRow>;
  /** The file's organizations by name key, with their index in the file. */
  file: Map<string, { org: ConfigOrganization; index: number }>;
  /** Every stored organization as it is: its name, parent's name key and sign-in server's name key (null: local). */
  before: Map<string, OrgShape>;
  /** The same after the apply. */
  final: Map<string, OrgShape>;
}

interface OrgShape {
  name: string;
  parent: string | null;
  server: string | null;
}

function indexOrganizations(db: Database.Database, config: ParsedConfig): OrgIndex {
  const rows = listOrganizations(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const serverKey = new Map(listServers(db).map((s) => [s.id, nameKey(s.name)]));
  const stored = new Map(rows.map((r) => [nameKey(r.name), r]));
  const file = new Map((config.organizations ?? []).map((org, index) => [nameKey(org.name), { org, index }]));
  const before = new Map<string, OrgShape>();
  for (const [key, r] of stored) {
    const parent = r.parentId === null ? undefined : byId.get(r.parentId);
    before.set(key, { name: r.name, parent: parent ? nameKey(parent.name) : null, server: r.authServerId === null ? null : (serverKey.get(r.authServerId) ?? null) });
  }
  const final = new Map(before);
  for (const [key, { org }] of file) {
    final.set(key, { name: org.name, parent: org.parent === null ? null : nameKey(org.parent), server: org.ldapServer === null ? null : nameKey(org.ldapServer) });
  }
  return { stored, file, before, final };
}

const notFound = (what: string, name: string, where: string) => `no ${what} named "${name}" in this file or the store; ${where}`;

/**
 * Every name the file refers to must exist in the file or the store: parents, sign-in servers,
 * default organizations and the organization of `registrantsNotFound` (which must use local
 * sign-in after the apply). Parents must not form a cycle.
 */
function referenceIssues(db: Database.Database, config: ParsedConfig, orgs: OrgIndex): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const servers = new Set([...listServers(db).map((s) => nameKey(s.name)), ...config.servers.map((s) => nameKey(s.draft.name))]);
  const addOrg = 'add it to "organizations" or create it in the app';
  config.servers.forEach((s, i) => {
    if (s.defaultOrg && !orgs.final.has(nameKey(s.defaultOrg))) issues.push({ path: `servers[${i}].defaultOrg`, message: notFound('organization', s.defaultOrg, addOrg) });
    const path = `servers[${i}].snapshot`;
    if (typeof s.snapshot === 'string' && !findSnapshotByName(db, s.snapshot)) {
      issues.push({ path, message: `no snapshot named "${s.snapshot}" in the store; import it first (ldap-sync snapshot import FILE --name NAME) or capture one (ldap-sync snapshot capture SERVER --name NAME); ldap-sync snapshot list shows them` });
      return;
    }
    const { offline, snapshotId } = offlineAndSnapshot(db, s, findServerByName(db, s.draft.name));
    if (offline && snapshotId === null) {
      issues.push({ path, message: `${s.snapshot === null ? 'must name a snapshot' : 'is required'}: an offline server reads only its snapshot; give the name of one (ldap-sync snapshot list), or set "offline": false` });
    }
  });
  const reportedCycles = new Set<string>();
  (config.organizations ?? []).forEach((org, i) => {
    const prefix = `organizations[${i}]`;
    if (org.parent !== null && !orgs.final.has(nameKey(org.parent))) issues.push({ path: `${prefix}.parent`, message: notFound('organization', org.parent, addOrg) });
    if (org.ldapServer !== null && !servers.has(nameKey(org.ldapServer))) {
      issues.push({ path: `${prefix}.auth.ldapServer`, message: notFound('LDAP server', org.ldapServer, 'add it to "servers" or create it in the app') });
    }
    // Follow the parents after the apply; coming back to this organization is a cycle (reported once per cycle).
    const self = nameKey(org.name);
    const chain = [org.name];
    const seen = new Set([self]);
    for (let key = orgs.final.get(self)?.parent ?? null; key !== null; key = orgs.final.get(key)?.parent ?? null) {
      const next = orgs.final.get(key);
      if (!next) break;
      chain.push(next.name);
      if (key === self) {
        const members = [...seen].sort().join('\n');
        if (!reportedCycles.has(members)) {
          reportedCycles.add(members);
          issues.push({ path: `${prefix}.parent`, message: `${chain.map((n) => `"${n}"`).join(' → ')} is a cycle: an organization cannot be inside itself or one of its sub-organizations` });
        }
        break;
      }
      if (seen.has(key)) break; // a cycle further up, reported at one of its own members
      seen.add(key);
    }
  });
  const rnf = config.sync?.registrantsNotFound;
  if (rnf?.action === 'placeInOrg') {
    const path = 'sync.registrantsNotFound.org';
    const target = orgs.final.get(nameKey(rnf.org));
    if (!target) issues.push({ path, message: notFound('organization', rnf.org, addOrg) });
    else if (target.server !== null) {
      issues.push({
        path,
        message: `"${target.name}" signs in with an LDAP server; people the directory does not find can only be placed in an organization with local sign-in ("auth": "local")`,
      });
    }
  }
  return issues;
}

/** The file's organizations, parents before their children (parents outside the file exist already). */
function parentsFirst(orgs: OrgIndex): ConfigOrganization[] {
  const out: ConfigOrganization[] = [];
  const done = new Set<string>();
  const visit = (key: string) => {
    const entry = orgs.file.get(key);
    if (!entry || done.has(key)) return;
    done.add(key);
    if (entry.org.parent !== null) visit(nameKey(entry.org.parent));
    out.push(entry.org);
  };
  for (const key of orgs.file.keys()) visit(key);
  return out;
}

/** What applying would do to one organization of the file. */
function orgAction(org: ConfigOrganization, orgs: OrgIndex): ApplyAction {
  const key = nameKey(org.name);
  const [was, will] = [orgs.before.get(key), orgs.final.get(key)!];
  if (!was) return 'created';
  return was.name === will.name && was.parent === will.parent && was.server === will.server ? 'unchanged' : 'updated';
}

function roleAction(db: Database.Database, name: string): ApplyAction {
  const row = findRoleByName(db, name);
  return !row ? 'created' : row.name === name ? 'unchanged' : 'updated';
}

function sameSettings(a: SyncSettings, b: SyncSettings): boolean {
  const canonical = (s: SyncSettings) =>
    JSON.stringify([s.every, s.deactivationLimit.percent, s.deactivationLimit.count, s.deactivationLimit.dropPercent, s.registrantsNotFound.action, s.registrantsNotFound.action === 'placeInOrg' ? s.registrantsNotFound.org : null]);
  return canonical(a) === canonical(b);
}

/**
 * Applies a checked config file in ONE SQLite transaction: either everything is written or nothing
 * is. Servers, organizations and roles are matched by name ignoring case; they are created or
 * updated, never deleted. A server without `bindPassword` keeps its stored password unless its host
 * or bind DN changed (then the password is cleared, so it is never sent to another server or
 * account). Names the file refers to (parents, sign-in servers, default organizations, the
 * registrants' organization) are checked against the file and the store first, and every problem is
 * thrown at once as AppError('INVALID_INPUT') with its JSON path. Synchronous, as better-sqlite3
 * transactions are.
 */
export function applyConfig(db: Database.Database, config: ParsedConfig, opts: ApplyOptions = {}): ApplyResult {
  const now = opts.now ?? (() => new Date());
  const run = (): ApplyResult => {
    const date = now();
    const at = date.toISOString();
    const orgs = indexOrganizations(db, config);
    const issues = referenceIssues(db, config, orgs);
    if (issues.length) {
      const n = issues.length;
      throw new AppError('INVALID_INPUT', `${opts.source ?? 'The config file'} has ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was applied.`, issues);
    }
    const steps: Step[] = [];
    const planIssues: FieldIssue[] = [];
    config.servers.forEach((s, i) => {
      try {
        steps.push(plan(db, s, at, orgs));
      } catch (err) {
        // The form's checks with what the store adds (an existing server's offline mode or snapshot).
        if (!(err instanceof AppError && err.code === 'INVALID_INPUT' && err.fields)) throw err;
        const key: Record<string, string> = { snapshotId: 'snapshot', defaultOrgId: 'defaultOrg' };
        planIssues.push(...err.fields.map((f) => ({ path: `servers[${i}].${f.path.replace(/^[A-Za-z]+/, (k) => key[k] ?? k)}`, message: f.message })));
      }
    });
    if (planIssues.length) {
      const n = planIssues.length;
      throw new AppError('INVALID_INPUT', `${opts.source ?? 'The config file'} has ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was applied.`, planIssues);
    }
    const orgOutcomes = config.organizations?.map((o) => ({ name: o.name, action: orgAction(o, orgs) }));
    const roleOutcomes = config.roles?.map((name) => ({ name, action: roleAction(db, name) }));
    const syncAction = config.sync && (sameSettings(readSyncSettings(db), config.sync) ? 'unchanged' : 'updated');
    if (!opts.dryRun) {
      for (const outcome of roleOutcomes ?? []) {
        if (outcome.action === 'created') insertRole(db, outcome.name, date);
        else if (outcome.action === 'updated') renameRole(db, findRoleByName(db, outcome.name)!.id, outcome.name);
      }
      // Servers first (a new default organization is set below), then organizations (which may sign
      // in with a server of the file), parents before children, then the pending default organizations.
      for (const step of steps) {
        if (step.outcome.action === 'unchanged') continue;
        if (step.outcome.action === 'created') insertServer(db, step.row);
        else updateServer(db, step.row);
        replaceTrusted(db, step.row.id, step.draft.trustedCertificates, at);
      }
      const idOf = new Map([...orgs.stored].map(([k, r]) => [k, r.id]));
      const actions = new Map((config.organizations ?? []).map((o, i) => [nameKey(o.name), orgOutcomes![i].action]));
      for (const org of parentsFirst(orgs)) {
        const key = nameKey(org.name);
        const fields = {
          name: org.name,
          parentId: org.parent === null ? null : idOf.get(nameKey(org.parent))!,
          authServerId: org.ldapServer === null ? null : findServerByName(db, org.ldapServer)!.id,
        };
        const action = actions.get(key);
        if (action === 'created') idOf.set(key, insertOrganization(db, fields, date).id);
        else if (action === 'updated') updateOrganization(db, idOf.get(key)!, fields, date);
      }
      for (const step of steps) {
        if (step.pendingDefaultOrg === null) continue;
        updateServer(db, { ...step.row, defaultOrgId: idOf.get(nameKey(step.pendingDefaultOrg))! });
      }
      if (syncAction === 'updated') writeSyncSettings(db, config.sync!);
    }
    return {
      dryRun: opts.dryRun ?? false,
      servers: steps.map((s) => s.outcome),
      ...(orgOutcomes && { organizations: orgOutcomes }),
      ...(roleOutcomes && { roles: roleOutcomes }),
      ...(syncAction && { sync: syncAction }),
      releasedKeychainAccounts: opts.dryRun ? [] : steps.flatMap((s) => (s.released ? [s.released] : [])),
    };
  };
  // IMMEDIATE: take the write lock up front, so the plan cannot go stale under another writer.
  return opts.dryRun ? db.transaction(run).deferred() : db.transaction(run).immediate();
}
