import type Database from 'better-sqlite3';
import { z } from 'zod';
import { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptTestCases, type ScriptTestCase } from '../../src-shared/domain/script-tests';
import { DEFAULT_PAGE_SIZE, type LastTest } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { nameKey } from './name-key';
import { serverNotFound } from './server-not-found';
import { prepared } from './statement-cache';

export { listTrusted, replaceTrusted, type TrustedRow } from './trusted-certificates-repo';
export { toServerView } from './server-view';

/** Where a server's bind password lives. Never the password itself. */
export type PasswordRef = { kind: 'keychain'; account: string } | { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** A stored server (without its trusted certificates), as main-side code handles it. */
export interface ServerRow {
  id: string;
  name: string;
  url: string;
  startTls: boolean;
  bindAnonymously: boolean;
  bindDn: string;
  searchFilter: string;
  timeoutSeconds: number;
  /** Entries per page of paged reads; absent when written means the default (1000). */
  pageSize?: number;
  mapping: AttributeMapping;
  scripts: ServerScripts;
  createUsers: boolean;
  defaultOrgId: string | null;
  offline: boolean;
  snapshotId: string | null;
  scriptTests: ScriptTestCase[];
  passwordRef: PasswordRef | null;
  passwordClearedAt: string | null;
  lastTest: LastTest | null;
  createdAt: string;
  updatedAt: string;
}

const PasswordRefJson = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('keychain'), account: z.string().min(1) }),
  z.strictObject({ kind: z.literal('env'), name: z.string().min(1) }),
  z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
]);

const LastTestJson = z.object({
  at: z.string(),
  reachable: z.boolean(),
  bindable: z.boolean(),
  matches: z.number().int().nullable(),
  errorMessage: z.string().nullable(),
});

/** The key that makes server names unique regardless of case and surrounding spaces. */
export function serverNameKey(name: string): string {
  return nameKey(name);
}

const COLUMNS = `id, name, url, start_tls AS startTls, bind_anonymously AS bindAnonymously, bind_dn AS bindDn,
  search_filter AS searchFilter, timeout_seconds AS timeoutSeconds, page_size AS pageSize, mapping_json AS mapping, scripts_json AS scripts, create_users AS createUsers, default_org_id AS defaultOrgId, offline, snapshot_id AS snapshotId, script_tests_json AS scriptTests, password_ref AS passwordRef,
  password_cleared_at AS passwordClearedAt, last_test_json AS lastTest, created_at AS createdAt, updated_at AS updatedAt`;

/** All servers, ordered by name (case-insensitive). */
export function listServers(db: Database.Database): ServerRow[] {
  return (prepared(db, `SELECT ${COLUMNS} FROM servers ORDER BY name_key, id`).all() as RawRow[]).map((raw) => fromRaw(db, raw));
}

/** The server with `id`, or undefined. */
export function getServer(db: Database.Database, id: string): ServerRow | undefined {
  const raw = prepared(db, `SELECT ${COLUMNS} FROM servers WHERE id = @id`).get({ id }) as RawRow | undefined;
  return raw && fromRaw(db, raw);
}

/** The server whose name equals `name` ignoring case and surrounding spaces, or undefined. */
export function findServerByName(db: Database.Database, name: string): ServerRow | undefined {
  const raw = prepared(db, `SELECT ${COLUMNS} FROM servers WHERE name_key = @nameKey`).get({ nameKey: serverNameKey(name) }) as RawRow | undefined;
  return raw && fromRaw(db, raw);
}

/** Stores a new server. Throws AppError('CONFLICT') when its name or id is taken. */
export function insertServer(db: Database.Database, row: ServerRow): ServerRow {
  writeOrConflict(row, () =>
    prepared(
      db,
      `INSERT INTO servers (id, name, name_key, url, start_tls, bind_anonymously, bind_dn, search_filter, timeout_seconds, page_size,
        mapping_json, scripts_json, create_users, default_org_id, offline, snapshot_id, script_tests_json, password_ref, password_cleared_at, last_test_json, created_at, updated_at)
      VALUES (@id, @name, @nameKey, @url, @startTls, @bindAnonymously, @bindDn, @searchFilter, @timeoutSeconds, @pageSize,
        @mapping, @scripts, @createUsers, @defaultOrgId, @offline, @snapshotId, @scriptTests, @passwordRef, @passwordClearedAt, @lastTest, @createdAt, @updatedAt)`,
    ).run(toParams(row)),
  );
  return row;
}

/**
 * Replaces every field of the stored server `row.id` except `createdAt`.
 * Throws AppError('NOT_FOUND') when it does not exist, AppError('CONFLICT') when the name is taken.
 */
export function updateServer(db: Database.Database, row: ServerRow): ServerRow {
  const { createdAt: _createdAtStaysAsInserted, ...params } = toParams(row);
  const result = writeOrConflict(row, () =>
    prepared(
      db,
      `UPDATE servers SET name = @name, name_key = @nameKey, url = @url, start_tls = @startTls,
        bind_anonymously = @bindAnonymously, bind_dn = @bindDn, search_filter = @searchFilter,
        timeout_seconds = @timeoutSeconds, page_size = @pageSize, mapping_json = @mapping, scripts_json = @scripts, create_users = @createUsers, default_org_id = @defaultOrgId, offline = @offline, snapshot_id = @snapshotId, script_tests_json = @scriptTests, password_ref = @passwordRef, password_cleared_at = @passwordClearedAt,
        last_test_json = @lastTest, updated_at = @updatedAt
      WHERE id = @id`,
    ).run(params),
  );
  if (result.changes === 0) throw serverNotFound(row.id);
  return getServer(db, row.id) ?? row;
}

/** Deletes a server and (by cascade) its trusted certificates. Throws AppError('NOT_FOUND') when absent. */
export function deleteServer(db: Database.Database, id: string): void {
  if (prepared(db, `DELETE FROM servers WHERE id = @id`).run({ id }).changes === 0) throw serverNotFound(id);
}

/** Records the outcome of the last connection test (null forgets it); `updatedAt` is left alone. */
export function setLastTest(db: Database.Database, id: string, lastTest: LastTest | null): void {
  const json = lastTest === null ? null : JSON.stringify(LastTestJson.parse(lastTest));
  if (prepared(db, `UPDATE servers SET last_test_json = @lastTest WHERE id = @id`).run({ id, lastTest: json }).changes === 0) {
    throw serverNotFound(id);
  }
}

interface RawRow extends Omit<ServerRow, 'startTls' | 'bindAnonymously' | 'createUsers' | 'offline' | 'scriptTests' | 'mapping' | 'scripts' | 'passwordRef' | 'lastTest'> {
  startTls: number;
  createUsers: number;
  offline: number;
  scriptTests: string;
  bindAnonymously: number;
  mapping: string;
  scripts: string;
  passwordRef: string | null;
  lastTest: string | null;
}

function fromRaw(db: Database.Database, raw: RawRow): ServerRow {
  return {
    ...raw,
    startTls: raw.startTls === 1,
    bindAnonymously: raw.bindAnonymously === 1,
    createUsers: raw.createUsers === 1,
    offline: raw.offline === 1,
    scriptTests: parseStored(db, raw, 'script test cases', ScriptTestCases, raw.scriptTests),
    mapping: parseStored(db, raw, 'attribute mapping', AttributeMapping, raw.mapping),
    scripts: parseStored(db, raw, 'scripts', ServerScripts, raw.scripts),
    passwordRef: raw.passwordRef === null ? null : parseStored(db, raw, 'password reference', PasswordRefJson, raw.passwordRef),
    lastTest: raw.lastTest === null ? null : parseStored(db, raw, 'last test result', LastTestJson, raw.lastTest),
  };
}

function parseStored<T>(db: Database.Database, raw: RawRow, what: string, schema: z.ZodType<T>, json: string): T {
  const parsed = schema.safeParse(JSON.parse(json));
  if (parsed.success) return parsed.data;
  throw new AppError('STORE_REFUSED', `Server "${raw.name}" in ${db.name} has an unreadable ${what}. Edit the server and save it again.`);
}

function toParams(row: ServerRow) {
  const passwordRef = row.passwordRef === null ? null : PasswordRefJson.safeParse(row.passwordRef);
  if (passwordRef && !passwordRef.success) throw new AppError('INTERNAL', `Refusing to store a malformed password reference for server "${row.name}".`);
  return {
    id: row.id,
    name: row.name,
    nameKey: serverNameKey(row.name),
    url: row.url,
    startTls: row.startTls ? 1 : 0,
    bindAnonymously: row.bindAnonymously ? 1 : 0,
    bindDn: row.bindDn,
    searchFilter: row.searchFilter,
    timeoutSeconds: row.timeoutSeconds,
    pageSize: row.pageSize ?? DEFAULT_PAGE_SIZE,
    mapping: JSON.stringify(AttributeMapping.parse(row.mapping)),
    scripts: JSON.stringify(ServerScripts.parse(row.scripts)),
    createUsers: row.createUsers ? 1 : 0,
    defaultOrgId: row.defaultOrgId,
    offline: row.offline ? 1 : 0,
    snapshotId: row.snapshotId,
    scriptTests: JSON.stringify(ScriptTestCases.parse(row.scriptTests)),
    passwordRef: passwordRef ? JSON.stringify(passwordRef.data) : null,
    passwordClearedAt: row.passwordClearedAt,
    lastTest: row.lastTest === null ? null : JSON.stringify(LastTestJson.parse(row.lastTest)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function writeOrConflict<T>(row: ServerRow, write: () => T): T {
  try {
    return write();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : '';
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' && message.includes('servers.name_key')) {
      const text = `A server named "${row.name.trim()}" already exists. Choose another name.`;
      throw new AppError('CONFLICT', text, [{ path: 'name', message: text }]);
    }
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      const text = 'The default organization or the snapshot no longer exists. Choose again.';
      throw new AppError('INVALID_INPUT', text, [{ path: row.snapshotId ? 'snapshotId' : 'defaultOrgId', message: text }]);
    }
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new AppError('CONFLICT', `A server with id "${row.id}" already exists.`);
    throw error;
  }
}

/** The names of the offline servers that read snapshot `snapshotId` (it is their only source). */
export function offlineServerNamesOf(db: Database.Database, snapshotId: string): string[] {
  return (prepared(db, `SELECT name FROM servers WHERE snapshot_id = @snapshotId AND offline = 1`).all({ snapshotId }) as { name: string }[]).map((r) => r.name);
}
