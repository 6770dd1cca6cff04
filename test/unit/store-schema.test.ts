import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';

let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-schema-'));
  store = openStore(join(dir, 'store.sqlite'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

it('the store schema matches the snapshot (a schema change needs a new migration and a snapshot update)', () => {
  const rows = store.db
    .prepare(`SELECT type, name, tbl_name AS tableName, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
    .all() as { type: string; name: string; sql: string | null }[];
  const text = rows.map((r) => `-- ${r.type} ${r.name}\n${r.sql ?? '(automatic)'}`).join('\n\n');
  expect(text).toMatchInlineSnapshot(`
    "-- table organizations
    CREATE TABLE organizations (
      id TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      -- The trimmed, lower-cased name: script results match organizations regardless of case.
      name_key TEXT NOT NULL UNIQUE,
      parent_id TEXT NULL REFERENCES organizations (id),
      auth_server_id TEXT NULL REFERENCES servers (id) ON DELETE SET NULL,
      registration_key TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT

    -- table roles
    CREATE TABLE roles (
      id TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      -- The trimmed, lower-cased name: script results match roles regardless of case.
      name_key TEXT NOT NULL UNIQUE,
      created_at TEXT NOT NULL
    ) STRICT

    -- table schema_migrations
    CREATE TABLE schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      sha256 TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )

    -- table servers
    CREATE TABLE servers (
      id TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      -- The trimmed, lower-cased name: makes names unique regardless of case.
      name_key TEXT NOT NULL UNIQUE,
      url TEXT NOT NULL,
      start_tls INTEGER NOT NULL CHECK (start_tls IN (0, 1)),
      bind_anonymously INTEGER NOT NULL CHECK (bind_anonymously IN (0, 1)),
      bind_dn TEXT NOT NULL,
      search_filter TEXT NOT NULL,
      timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 3600),
      password_ref TEXT NULL CHECK (
        password_ref IS NULL
        OR (json_valid(password_ref) AND json_extract(password_ref, '$.kind') IN ('keychain', 'env', 'file'))
      ),
      password_cleared_at TEXT NULL,
      last_test_json TEXT NULL CHECK (last_test_json IS NULL OR json_valid(last_test_json)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    , mapping_json TEXT NOT NULL
      DEFAULT '{"email":"mail","firstName":"givenName","lastName":"sn"}'
      CHECK (json_valid(mapping_json) AND json_type(mapping_json) = 'object'), scripts_json TEXT NOT NULL
      DEFAULT '{"active":"function(entry) { return true; }","orgName":null,"roleName":null}'
      CHECK (json_valid(scripts_json) AND json_type(scripts_json, '$.active') IS 'text')) STRICT

    -- table trusted_certificates
    CREATE TABLE trusted_certificates (
      server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
      fingerprint256 TEXT NOT NULL,
      subject TEXT NOT NULL,
      issuer TEXT NOT NULL,
      valid_from TEXT NOT NULL,
      valid_to TEXT NOT NULL,
      pem TEXT NOT NULL,
      added_at TEXT NOT NULL,
      PRIMARY KEY (server_id, fingerprint256)
    ) STRICT"
  `);
});
