import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { ServerDraft } from '../../src-shared/domain/server';
import { checkServerDraft, identityChanged } from '../services/servers-service';
import { findServerByName, insertServer, listTrusted, replaceTrusted, updateServer, type PasswordRef, type ServerRow } from '../store/servers-repo';
import type { ParsedConfig } from './parse-config';

/** What applying a config file did (or, in a dry run, would do) to one server. */
export type ApplyAction = 'created' | 'updated' | 'unchanged';

/** The outcome for one server of the file. */
export interface ApplyOutcome {
  name: string;
  action: ApplyAction;
  /** True when the stored password was cleared because the host or bind DN changed. */
  passwordCleared: boolean;
}

/** The outcome of {@link applyConfig}. */
export interface ApplyResult {
  dryRun: boolean;
  servers: ApplyOutcome[];
  /** Keychain items no server refers to any more; the caller deletes them after the commit. Empty in a dry run. */
  releasedKeychainAccounts: string[];
}

/** Options of {@link applyConfig}. */
export interface ApplyOptions {
  /** Work out what would change and write nothing. */
  dryRun?: boolean;
  now?: () => Date;
}

interface Step {
  outcome: ApplyOutcome;
  row: ServerRow;
  draft: ServerDraft;
  released?: string;
}

function sameRef(a: PasswordRef | null, b: PasswordRef | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function fingerprints(list: readonly { fingerprint256: string }[]): string {
  return [...new Set(list.map((c) => c.fingerprint256))].join(',');
}

function unchanged(db: Database.Database, old: ServerRow, row: ServerRow, draft: ServerDraft): boolean {
  const keys = ['name', 'url', 'startTls', 'bindAnonymously', 'bindDn', 'searchFilter', 'timeoutSeconds', 'passwordClearedAt'] as const;
  return (
    keys.every((k) => old[k] === row[k]) &&
    JSON.stringify(old.mapping) === JSON.stringify(row.mapping) &&
    JSON.stringify(old.scripts) === JSON.stringify(row.scripts) &&
    sameRef(old.passwordRef, row.passwordRef) &&
    fingerprints(listTrusted(db, old.id)) === fingerprints(draft.trustedCertificates)
  );
}

/** Works out the new row of one server (create or update), without writing. */
function plan(db: Database.Database, server: ParsedConfig['servers'][number], at: string): Step {
  const draft = checkServerDraft(server.draft);
  const { trustedCertificates: _certs, ...fields } = draft;
  const old = findServerByName(db, draft.name);
  if (!old) {
    const row: ServerRow = { id: randomUUID(), ...fields, passwordRef: server.password ?? null, passwordClearedAt: null, lastTest: null, createdAt: at, updatedAt: at };
    return { outcome: { name: draft.name, action: 'created', passwordCleared: false }, row, draft };
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
  if (unchanged(db, old, row, draft)) return { outcome: { name: draft.name, action: 'unchanged', passwordCleared: false }, row: old, draft };
  const released = old.passwordRef?.kind === 'keychain' && !sameRef(old.passwordRef, passwordRef) ? old.passwordRef.account : undefined;
  return { outcome: { name: draft.name, action: 'updated', passwordCleared }, row, draft, released };
}

/**
 * Creates or updates the servers of a checked config file, matched by name ignoring case, in ONE
 * SQLite transaction: either every server is written or none is. A server without `bindPassword`
 * keeps its stored password unless its host or bind DN changed (then the password is cleared, so
 * it is never sent to another server or account). Synchronous, as better-sqlite3 transactions are.
 */
export function applyConfig(db: Database.Database, config: ParsedConfig, opts: ApplyOptions = {}): ApplyResult {
  const now = opts.now ?? (() => new Date());
  const run = (): ApplyResult => {
    const at = now().toISOString();
    const steps = config.servers.map((s) => plan(db, s, at));
    if (!opts.dryRun) {
      for (const step of steps) {
        if (step.outcome.action === 'unchanged') continue;
        if (step.outcome.action === 'created') insertServer(db, step.row);
        else updateServer(db, step.row);
        replaceTrusted(db, step.row.id, step.draft.trustedCertificates, at);
      }
    }
    return {
      dryRun: opts.dryRun ?? false,
      servers: steps.map((s) => s.outcome),
      releasedKeychainAccounts: opts.dryRun ? [] : steps.flatMap((s) => (s.released ? [s.released] : [])),
    };
  };
  // IMMEDIATE: take the write lock up front, so the plan cannot go stale under another writer.
  return opts.dryRun ? db.transaction(run).deferred() : db.transaction(run).immediate();
}
