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
    "-- index devices_user
    CREATE INDEX devices_user ON devices (user_id)

    -- index organizations_registration_key
    CREATE UNIQUE INDEX organizations_registration_key ON organizations (registration_key)

    -- index sync_runs_server_started
    CREATE INDEX sync_runs_server_started ON sync_runs (server_id, started_at)

    -- index sync_runs_started
    CREATE INDEX sync_runs_started ON sync_runs (started_at)

    -- index user_roles_role
    CREATE INDEX user_roles_role ON user_roles (role_id)

    -- index users_org
    CREATE INDEX users_org ON users (org_id)

    -- table devices
    CREATE TABLE devices (
      id TEXT NOT NULL PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name TEXT NOT NULL,
      active INTEGER NOT NULL CHECK (active IN (0, 1)),
      deactivated_at TEXT NULL,
      -- 'user': deactivated together with its user (reactivated with them); 'admin': on its own.
      deactivated_by TEXT NULL CHECK (deactivated_by IS NULL OR deactivated_by IN ('user', 'admin')),
      created_at TEXT NOT NULL
    ) STRICT

    -- table local_passwords
    CREATE TABLE local_passwords (
      user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      hash TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT

    -- table organizations
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
    , sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1))) STRICT

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
      CHECK (json_valid(scripts_json) AND json_type(scripts_json, '$.active') IS 'text'), create_users INTEGER NOT NULL DEFAULT 0 CHECK (create_users IN (0, 1)), default_org_id TEXT NULL REFERENCES organizations (id) ON DELETE SET NULL, offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1)), snapshot_id TEXT NULL REFERENCES snapshots (id) ON DELETE SET NULL, script_tests_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(script_tests_json) AND json_type(script_tests_json) = 'array'), sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1)), page_size INTEGER NOT NULL DEFAULT 1000 CHECK (page_size BETWEEN 10 AND 5000)) STRICT

    -- table settings
    CREATE TABLE settings (
      key TEXT NOT NULL PRIMARY KEY,
      value_json TEXT NOT NULL CHECK (json_valid(value_json))
    ) STRICT

    -- table snapshot_entries
    CREATE TABLE snapshot_entries (
      snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      dn TEXT NOT NULL,
      -- {"attr": ["value", ...]}; binary values as base64 text, their attributes listed in binary_json.
      attributes_json TEXT NOT NULL CHECK (json_valid(attributes_json)),
      binary_json TEXT NULL CHECK (binary_json IS NULL OR json_valid(binary_json)),
      PRIMARY KEY (snapshot_id, seq)
    ) STRICT, WITHOUT ROWID

    -- table snapshots
    CREATE TABLE snapshots (
      id TEXT NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      -- The trimmed, lower-cased name: snapshot names are unique regardless of case.
      name_key TEXT NOT NULL UNIQUE,
      origin TEXT NOT NULL CHECK (origin IN ('capture', 'ldif', 'sample')),
      -- Where a capture came from (kept as text too: the server may be deleted later).
      server_id TEXT NULL REFERENCES servers (id) ON DELETE SET NULL,
      server_name TEXT NULL,
      base_dn TEXT NULL,
      filter TEXT NULL,
      -- 'all': every user attribute; 'used': only the attributes mapped and read by the scripts.
      attributes TEXT NOT NULL CHECK (attributes IN ('all', 'used')),
      file_name TEXT NULL,
      captured_at TEXT NOT NULL,
      entry_count INTEGER NOT NULL,
      -- 'capturing' while a capture writes its pages; such a snapshot is never used and is removed if the capture fails.
      status TEXT NOT NULL CHECK (status IN ('ready', 'capturing')),
      -- The process taking a capture (a capture of a process that died is removed on the next open).
      capture_pid INTEGER NULL,
      capture_host TEXT NULL,
      created_at TEXT NOT NULL
    ) STRICT

    -- table sync_change_chunks
    CREATE TABLE sync_change_chunks (
      run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
      first_seq INTEGER NOT NULL CHECK (first_seq >= 0),
      n INTEGER NOT NULL CHECK (n > 0),
      actions TEXT NOT NULL CHECK (length(actions) = n),
      rows TEXT NOT NULL,
      data TEXT NULL,
      PRIMARY KEY (run_id, first_seq)
    ) STRICT, WITHOUT ROWID

    -- table sync_change_counts
    CREATE TABLE sync_change_counts (
      run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
      action TEXT NOT NULL,
      n INTEGER NOT NULL CHECK (n > 0),
      PRIMARY KEY (run_id, action)
    ) STRICT, WITHOUT ROWID

    -- table sync_lock
    CREATE TABLE sync_lock (
      id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
      run_id TEXT NOT NULL,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      acquired_at TEXT NOT NULL
    ) STRICT

    -- table sync_runs
    CREATE TABLE sync_runs (
      id TEXT NOT NULL PRIMARY KEY,
      server_id TEXT NULL REFERENCES servers (id) ON DELETE SET NULL,
      server_name TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('simulate', 'sync', 'draft')),
      trigger TEXT NOT NULL CHECK (trigger IN ('manual', 'schedule', 'cli', 'approve')),
      status TEXT NOT NULL CHECK (status IN ('running', 'simulated', 'applied', 'held', 'failed', 'cancelled', 'interrupted', 'discarded', 'approved')),
      pid INTEGER NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT NULL,
      duration_ms INTEGER NULL,
      entries INTEGER NULL,
      managed_before INTEGER NULL,
      managed_after INTEGER NULL,
      active_after INTEGER NULL,
      counts_json TEXT NOT NULL CHECK (json_valid(counts_json)),
      error_json TEXT NULL CHECK (error_json IS NULL OR json_valid(error_json)),
      held_reason TEXT NULL,
      related_run_id TEXT NULL
    , source TEXT NULL) STRICT

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
    ) STRICT

    -- table user_roles
    CREATE TABLE user_roles (
      user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role_id TEXT NOT NULL REFERENCES roles (id),
      PRIMARY KEY (user_id, role_id)
    ) STRICT, WITHOUT ROWID

    -- table users
    CREATE TABLE users (
      id TEXT NOT NULL PRIMARY KEY,
      username TEXT NOT NULL,
      -- The trimmed, lower-cased username: usernames are unique regardless of case.
      username_key TEXT NOT NULL UNIQUE,
      email TEXT NULL,
      first_name TEXT NULL,
      last_name TEXT NULL,
      org_id TEXT NOT NULL REFERENCES organizations (id),
      active INTEGER NOT NULL CHECK (active IN (0, 1)),
      deactivated_at TEXT NULL,
      -- 'sync' may be undone by a later sync; 'admin' only by an admin.
      deactivated_by TEXT NULL CHECK (deactivated_by IS NULL OR deactivated_by IN ('sync', 'admin')),
      deactivated_reason TEXT NULL,
      source_server_id TEXT NULL REFERENCES servers (id) ON DELETE SET NULL,
      source_dn TEXT NULL,
      -- entryUUID / objectGUID / nsUniqueId: not unique (one entry with several usernames gives several users).
      directory_id TEXT NULL,
      first_seen_at TEXT NULL,
      -- Last seen is kept lazily, so a sync does not rewrite every user: while \`missing\` = 0 the user was
      -- returned by every sync of their source server since last_seen_at (shown as the latest of the
      -- two); when a sync no longer returns them, missing = 1 and last_seen_at is the last sync that did.
      last_seen_at TEXT NULL,
      missing INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1)),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK ((active = 1) = (deactivated_at IS NULL))
    ) STRICT"
  `);
});
