-- Saved LDAP servers and the certificates an admin trusted for each.
-- A stored server never holds a password: password_ref only says where it lives
-- ({"kind":"keychain","account":"..."}, {"kind":"env","name":"..."} or {"kind":"file","path":"..."}).

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
) STRICT;

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
) STRICT;
