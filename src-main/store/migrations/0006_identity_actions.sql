-- Identity changes in plans (issue 11): two more plan row actions.
--   dn      the user's entry was renamed or moved in the directory (from and to hold the DNs);
--   reused  the user's username came back on a different entry (another directory ID): the user is
--           not taken over (from and to hold the old and the new directory ID).
-- SQLite cannot change a check in place, hence the copy (as in 0005).
CREATE TABLE sync_changes_new (
  run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  user_id TEXT NULL,
  username TEXT NULL,
  dn TEXT NULL,
  action TEXT NOT NULL CHECK (
    action = 'deactivate' OR action = 'reactivate' OR action = 'create' OR action = 'move' OR action = 'roles' OR action = 'update' OR action = 'error'
    OR action = 'dn' OR action = 'reused'
  ),
  from_text TEXT NULL,
  to_text TEXT NULL,
  reason TEXT NULL,
  data_json TEXT NULL,
  PRIMARY KEY (run_id, seq)
) STRICT, WITHOUT ROWID;
INSERT INTO sync_changes_new (run_id, seq, user_id, username, dn, action, from_text, to_text, reason, data_json)
  SELECT run_id, seq, user_id, username, dn, action, from_text, to_text, reason, data_json FROM sync_changes ORDER BY run_id, seq;
DROP TABLE sync_changes;
ALTER TABLE sync_changes_new RENAME TO sync_changes;
