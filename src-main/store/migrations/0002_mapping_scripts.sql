-- Attribute mapping and the Active / Org name / Role name scripts of each server, plus the
-- organizations and roles the preview checks script results against (their management comes later).
-- Existing servers get the default mapping (inetOrgPerson names) and the default scripts.

ALTER TABLE servers ADD COLUMN mapping_json TEXT NOT NULL
  DEFAULT '{"email":"mail","firstName":"givenName","lastName":"sn"}'
  CHECK (json_valid(mapping_json) AND json_type(mapping_json) = 'object');

ALTER TABLE servers ADD COLUMN scripts_json TEXT NOT NULL
  DEFAULT '{"active":"function(entry) { return true; }","orgName":null,"roleName":null}'
  CHECK (json_valid(scripts_json) AND json_type(scripts_json, '$.active') IS 'text');

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
) STRICT;

CREATE TABLE roles (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  -- The trimmed, lower-cased name: script results match roles regardless of case.
  name_key TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
) STRICT;

INSERT INTO roles (id, name, name_key, created_at) VALUES
  ('5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a01', 'Desktop User', 'desktop user', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  ('5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a02', 'Org Admin', 'org admin', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
