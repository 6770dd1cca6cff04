-- Offline authoring: directory snapshots (captured search results or imported LDIF files) and
-- their entries; servers that run over a snapshot (or only over one: offline); script test cases
-- saved with each server; the bundled sample directory's records, marked so one action removes them;
-- the source a run read (a snapshot name; NULL for the live directory).

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
) STRICT;

CREATE TABLE snapshot_entries (
  snapshot_id TEXT NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  dn TEXT NOT NULL,
  -- {"attr": ["value", ...]}; binary values as base64 text, their attributes listed in binary_json.
  attributes_json TEXT NOT NULL CHECK (json_valid(attributes_json)),
  binary_json TEXT NULL CHECK (binary_json IS NULL OR json_valid(binary_json)),
  PRIMARY KEY (snapshot_id, seq)
) STRICT, WITHOUT ROWID;

ALTER TABLE servers ADD COLUMN offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1));
ALTER TABLE servers ADD COLUMN snapshot_id TEXT NULL REFERENCES snapshots (id) ON DELETE SET NULL;
ALTER TABLE servers ADD COLUMN script_tests_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(script_tests_json) AND json_type(script_tests_json) = 'array');
ALTER TABLE servers ADD COLUMN sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1));
ALTER TABLE organizations ADD COLUMN sample INTEGER NOT NULL DEFAULT 0 CHECK (sample IN (0, 1));
ALTER TABLE sync_runs ADD COLUMN source TEXT NULL;
