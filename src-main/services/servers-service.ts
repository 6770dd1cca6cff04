import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import type { LastTest, PasswordInput, ServerDraft, ServerView } from '../../src-shared/domain/server';
import { validateServerDraft } from '../../src-shared/domain/validate-server';
import { AppError, type FieldIssue } from '../../src-shared/errors';
import { parseTrustedPem } from '../ldap/certificate';
import { runDoctor } from '../ldap/doctor';
import { targetFromDraft } from '../ldap/target';
import type { ScriptRunner } from '../scripts/script-runner';
import type { Keychain } from '../secrets/keychain';
import { bindPasswordFor, identityChanged } from './bind-password';
import { TestedDrafts } from './tested-drafts';
import { checkScriptsOrIssues, normalizeScripts } from './script-checks';
import {
  deleteServer,
  getServer,
  insertServer,
  listServers,
  listTrusted,
  replaceTrusted,
  setLastTest,
  toServerView,
  updateServer,
  type PasswordRef,
  type ServerRow,
} from '../store/servers-repo';

/** What the server service needs from its surroundings. */
export interface ServerServiceDeps {
  db: Database.Database;
  keychain: Keychain;
  /** The environment `{ env }` password references are read from. */
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** The app's script engine (created lazily and shared); used to compile scripts before saving. */
  scriptEngine: () => Promise<ScriptRunner>;
}

/** Options of one connection test. */
export interface TestOptions {
  serverId?: string;
  draft: ServerDraft;
  password: PasswordInput;
  signal?: AbortSignal;
  onStage?: (stage: StageResult) => void;
}

export { identityChanged } from './bind-password';

/**
 * Validates a draft (throwing INVALID_INPUT with per-field issues, plus `extraIssues` such as script
 * compile errors), trims it, turns blank optional scripts into null, and re-derives each trusted
 * certificate's facts from its PEM so nothing the caller claims about a certificate is kept.
 */
export function checkServerDraft(draft: ServerDraft, extraIssues: readonly FieldIssue[] = []): ServerDraft {
  const issues = [...validateServerDraft(draft), ...extraIssues];
  if (issues.length) throw new AppError('INVALID_INPUT', issues.map((i) => `${i.path}: ${i.message}`).join(' '), issues);
  const trustedCertificates = draft.trustedCertificates.map((c, i) => parseTrustedPem(c.pem, `trustedCertificates[${i}]`));
  const mapping = { email: draft.mapping.email.trim(), firstName: draft.mapping.firstName.trim(), lastName: draft.mapping.lastName.trim() };
  return { ...draft, name: draft.name.trim(), url: draft.url.trim(), bindDn: draft.bindDn.trim(), trustedCertificates, mapping, scripts: normalizeScripts(draft.scripts) };
}

/** {@link checkServerDraft} that also compiles the scripts and refuses those that do not compile (`scripts.active: ... line 2, column 5: ...`). */
export async function checkServerDraftAndScripts(draft: ServerDraft, engine: () => Promise<ScriptRunner>): Promise<ServerDraft> {
  const diagnostics = await (await engine()).check(normalizeScripts(draft.scripts));
  return checkServerDraft(draft, checkScriptsOrIssues(() => diagnostics, draft.scripts));
}

/**
 * Servers: create, edit, duplicate, delete and test. The bind password lives in the OS keychain or
 * behind an env/file reference; the store and every value returned here hold no secret.
 */
export class ServerService {
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => Date;
  // Tests of unsaved form values, so that saving what was tested records its result.
  private readonly tested: TestedDrafts;
  constructor(private readonly deps: ServerServiceDeps) {
    this.env = deps.env ?? process.env;
    this.now = deps.now ?? (() => new Date());
    this.tested = new TestedDrafts(this.now);
  }

  private view(row: ServerRow): ServerView {
    return toServerView(row, listTrusted(this.deps.db, row.id));
  }

  private mustGet(id: string): ServerRow {
    const row = getServer(this.deps.db, id);
    if (!row) throw new AppError('NOT_FOUND', 'That server no longer exists. It may have been deleted from another window or the CLI.');
    return row;
  }

  /** Every saved server, by name. */
  list(): ServerView[] {
    return listServers(this.deps.db).map((r) => this.view(r));
  }

  /** One saved server. */
  get(id: string): ServerView {
    return this.view(this.mustGet(id));
  }

  /** Finds a saved server by name (case-insensitive). */
  byName(name: string): ServerView {
    const key = name.trim().toLowerCase();
    const row = listServers(this.deps.db).find((r) => r.name.trim().toLowerCase() === key);
    if (!row) throw new AppError('NOT_FOUND', `No server named "${name}". List them with: ldap-sync server list`);
    return this.view(row);
  }

  /**
   * Turns a password input into the reference to keep in the store. A typed password goes to a new
   * keychain item, so a failed save never overwrites the password that is still in use.
   */
  private async storePassword(name: string, input: PasswordInput): Promise<PasswordRef | null | undefined> {
    switch (input.kind) {
      case 'keep':
        return undefined;
      case 'none':
        return null;
      case 'env':
        return { kind: 'env', name: input.name };
      case 'file':
        return { kind: 'file', path: input.path };
      case 'value': {
        const account = randomUUID();
        await this.deps.keychain.set(account, `LDAP Sync Studio bind password (${name})`, input.value);
        return { kind: 'keychain', account };
      }
    }
  }

  /** Saves a new server. A typed password goes to the keychain first, so a keychain error saves nothing. */
  async create(draftIn: ServerDraft, password: PasswordInput): Promise<ServerView> {
    const draft = await checkServerDraftAndScripts(draftIn, this.deps.scriptEngine);
    const id = randomUUID();
    const ref = (await this.storePassword(draft.name, password)) ?? null;
    const at = this.now().toISOString();
    // Saving exactly what was just tested keeps the test's result ("Not tested yet" would be wrong).
    const lastTest = this.tested.take(null, draftIn, password);
    const row: ServerRow = { id, ...withoutCerts(draft), passwordRef: ref, passwordClearedAt: null, lastTest, createdAt: at, updatedAt: at };
    try {
      this.deps.db.transaction(() => {
        insertServer(this.deps.db, row);
        replaceTrusted(this.deps.db, id, draft.trustedCertificates, at);
      })();
    } catch (err) {
      if (ref?.kind === 'keychain') await this.deps.keychain.delete(ref.account);
      throw err;
    }
    return this.get(id);
  }

  /**
   * Saves changes. When the URL host or the bind DN changes and no new password is given, the stored
   * password is cleared, so it is never sent to a different server or account.
   */
  async update(id: string, draftIn: ServerDraft, password: PasswordInput): Promise<{ server: ServerView; passwordCleared: boolean }> {
    const old = this.mustGet(id);
    const draft = await checkServerDraftAndScripts(draftIn, this.deps.scriptEngine);
    const changed = identityChanged(old, draft);
    let ref: PasswordRef | null = old.passwordRef;
    let passwordCleared = false;
    let clearedAt = old.passwordClearedAt;
    const stored = await this.storePassword(draft.name, password);
    if (stored !== undefined) {
      ref = stored;
      clearedAt = null;
    } else if (changed && old.passwordRef) {
      ref = null;
      passwordCleared = true;
      clearedAt = this.now().toISOString();
    }
    const at = this.now().toISOString();
    const lastTest = this.tested.take(id, draftIn, password) ?? (changed || old.url !== draft.url ? null : old.lastTest);
    const row: ServerRow = { ...old, ...withoutCerts(draft), passwordRef: ref, passwordClearedAt: clearedAt, lastTest, updatedAt: at };
    try {
      this.deps.db.transaction(() => {
        updateServer(this.deps.db, row);
        replaceTrusted(this.deps.db, id, draft.trustedCertificates, at);
      })();
    } catch (err) {
      if (stored?.kind === 'keychain') await this.deps.keychain.delete(stored.account);
      throw err;
    }
    const oldRef = old.passwordRef;
    if (oldRef?.kind === 'keychain' && !(ref?.kind === 'keychain' && ref.account === oldRef.account)) await this.deps.keychain.delete(oldRef.account);
    return { server: this.get(id), passwordCleared };
  }

  /** Copies a server under a free name "X (copy)"; a keychain password is copied to a new keychain item. */
  async duplicate(id: string): Promise<ServerView> {
    const src = this.get(id);
    const names = new Set(listServers(this.deps.db).map((r) => r.name.toLowerCase()));
    let name = `${src.name} (copy)`;
    for (let n = 2; names.has(name.toLowerCase()); n++) name = `${src.name} (copy ${n})`;
    const row = this.mustGet(id);
    let password: PasswordInput = { kind: 'none' };
    if (row.passwordRef?.kind === 'env') password = { kind: 'env', name: row.passwordRef.name };
    if (row.passwordRef?.kind === 'file') password = { kind: 'file', path: row.passwordRef.path };
    if (row.passwordRef?.kind === 'keychain') {
      const secret = await this.deps.keychain.get(row.passwordRef.account).catch(() => null);
      if (secret) password = { kind: 'value', value: secret };
    }
    const { id: _id, password: _p, passwordClearedAt: _c, lastTest: _l, createdAt: _a, updatedAt: _u, ...draft } = src;
    return this.create({ ...draft, name }, password);
  }

  /** Deletes a server, its trusted certificates and its keychain item. */
  async delete(id: string): Promise<void> {
    const row = this.mustGet(id);
    deleteServer(this.deps.db, id);
    if (row.passwordRef?.kind === 'keychain') await this.deps.keychain.delete(row.passwordRef.account);
  }

  /**
   * Runs the connection doctor on form values. With `serverId` and password `keep`, the stored
   * password is used only if the host and bind DN are unchanged. The saved server's last test is
   * recorded when the form equals what is saved.
   */
  async test(opts: TestOptions): Promise<DoctorReport> {
    const target = targetFromDraft(opts.draft);
    const saved = opts.serverId ? this.mustGet(opts.serverId) : null;
    let password: string | null = null;
    let passwordProblem: AppError | undefined;
    if (!target.bindAnonymously) {
      try {
        password = await this.bindPassword(opts.password, saved, opts.draft);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        passwordProblem = err;
      }
    }
    const report = await runDoctor({ target, password, passwordProblem, signal: opts.signal, onStage: opts.onStage });
    const lastTest: LastTest = { at: this.now().toISOString(), reachable: report.reachable, bindable: report.bindable, matches: report.matches, errorMessage: report.error?.message ?? null };
    if (saved && opts.password.kind === 'keep' && sameAsSaved(this.view(saved), opts.draft)) {
      setLastTest(this.deps.db, saved.id, lastTest);
    } else if (!opts.signal?.aborted) {
      this.tested.remember(saved?.id ?? null, opts.draft, opts.password, lastTest);
    }
    return report;
  }

  /**
   * The bind password for form values (null for an anonymous bind), with the doctor's rules: with
   * `keep` and `serverId`, the stored password only while the host and bind DN are unchanged.
   * Throws NOT_FOUND for an unknown server id and PASSWORD_REQUIRED / SECRET_UNAVAILABLE otherwise.
   */
  async passwordForDraft(opts: { serverId?: string; draft: ServerDraft; password: PasswordInput }): Promise<string | null> {
    if (opts.draft.bindAnonymously) return null;
    const saved = opts.serverId ? this.mustGet(opts.serverId) : null;
    return this.bindPassword(opts.password, saved, opts.draft);
  }

  /** The stored password reference the `keep` input stands for (for cache keys; never the secret). */
  storedPasswordRef(serverId: string | undefined): string | null {
    if (!serverId) return null;
    const row = getServer(this.deps.db, serverId);
    return row?.passwordRef ? JSON.stringify(row.passwordRef) : null;
  }

  private bindPassword(input: PasswordInput, saved: ServerRow | null, draft: ServerDraft): Promise<string> {
    return bindPasswordFor({ input, saved, draft, keychain: this.deps.keychain, env: this.env });
  }
}

function withoutCerts(d: ServerDraft): Omit<ServerDraft, 'trustedCertificates'> {
  const { trustedCertificates: _t, ...rest } = d;
  return rest;
}

function sameAsSaved(saved: ServerView, d: ServerDraft): boolean {
  return (
    saved.url === d.url.trim() &&
    saved.startTls === d.startTls &&
    saved.bindAnonymously === d.bindAnonymously &&
    saved.bindDn === d.bindDn.trim() &&
    saved.searchFilter === d.searchFilter &&
    saved.timeoutSeconds === d.timeoutSeconds &&
    JSON.stringify(saved.mapping) === JSON.stringify({ email: d.mapping.email.trim(), firstName: d.mapping.firstName.trim(), lastName: d.mapping.lastName.trim() }) &&
    JSON.stringify(saved.scripts) === JSON.stringify(normalizeScripts(d.scripts)) &&
    saved.trustedCertificates.map((c) => c.fingerprint256).join() === d.trustedCertificates.map((c) => c.fingerprint256).join()
  );
}
