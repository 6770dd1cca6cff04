-- Sign-in (issue 14): local passwords of users in organizations with local authentication, and
-- registration keys that find their organization.
--   hash  'scrypt$N$r$p$salt$key' (node:crypto scrypt, a random 16-byte salt per password, base64).
-- A user moved to an LDAP organization keeps the row (unused while there), so moving back restores it.
CREATE TABLE local_passwords (
  user_id TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  hash TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;

-- A registration key names one organization: looked up on every registration.
CREATE UNIQUE INDEX organizations_registration_key ON organizations (registration_key);
