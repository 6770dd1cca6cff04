-- The sync engine: users (with roles and devices), sync runs with their per-user plans, the
-- run lock shared by the app and the CLI, global settings, and the per-server createUsers /
-- defaultOrg options.

ALTER TABLE servers ADD COLUMN create_users INTEGER NOT NULL DEFAULT 0 CHECK (create_users IN (0, 1));
ALTER TABLE servers ADD COLUMN default_org_id TEXT NULL REFERENCES organizations (id) ON DELETE SET NULL;

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
  -- Last seen is kept lazily, so a sync does not rewrite every user: while `missing` = 0 the user was
  -- returned by every sync of their source server since last_seen_at (shown as the latest of the
  -- two); when a sync no longer returns them, missing = 1 and last_seen_at is the last sync that did.
  last_seen_at TEXT NULL,
  missing INTEGER NOT NULL DEFAULT 0 CHECK (missing IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK ((active = 1) = (deactivated_at IS NULL))
) STRICT;
CREATE INDEX users_org ON users (org_id);
CREATE INDEX users_directory_id ON users (directory_id) WHERE directory_id IS NOT NULL;

CREATE TABLE user_roles (
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role_id TEXT NOT NULL REFERENCES roles (id),
  PRIMARY KEY (user_id, role_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE devices (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  active INTEGER NOT NULL CHECK (active IN (0, 1)),
  deactivated_at TEXT NULL,
  -- 'user': deactivated together with its user (reactivated with them); 'admin': on its own.
  deactivated_by TEXT NULL CHECK (deactivated_by IS NULL OR deactivated_by IN ('user', 'admin')),
  created_at TEXT NOT NULL
) STRICT;
CREATE INDEX devices_user ON devices (user_id);

CREATE TABLE settings (
  key TEXT NOT NULL PRIMARY KEY,
  value_json TEXT NOT NULL CHECK (json_valid(value_json))
) STRICT;

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
) STRICT;
CREATE INDEX sync_runs_server_started ON sync_runs (server_id, started_at);
CREATE INDEX sync_runs_started ON sync_runs (started_at);

-- One row per change of a run's plan. data_json holds what applying needs (for held plans).
CREATE TABLE sync_changes (
  run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  user_id TEXT NULL,
  username TEXT NULL,
  dn TEXT NULL,
  action TEXT NOT NULL CHECK (action IN ('deactivate', 'reactivate', 'create', 'move', 'roles', 'update', 'error')),
  from_text TEXT NULL,
  to_text TEXT NULL,
  reason TEXT NULL,
  data_json TEXT NULL,
  PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;

-- At most one run at a time per store, across the app and the CLI: the row names its owner.
CREATE TABLE sync_lock (
  id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
  run_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  acquired_at TEXT NOT NULL
) STRICT;
