-- Cheaper sync writes (a first sync writes 100k users and 100k plan rows in one transaction).
--
-- users_directory_id: no query looks users up by directory ID (the planner matches the managed
-- users in memory), and directory IDs are random, so keeping this index cost every created user an
-- insert at a random place of it: about a fifth of the users' write time and of the pages written.
DROP INDEX users_directory_id;

-- sync_changes: the same table and rows; only the action check is written as comparisons. SQLite
-- checks `action IN (<7 values>)` by building a temporary 7-row index for every row written (a
-- third of the cost of writing a plan row); comparisons cost next to nothing and accept exactly
-- the same values. SQLite cannot change a check in place, hence the copy.
CREATE TABLE sync_changes_new (
  run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  user_id TEXT NULL,
  username TEXT NULL,
  dn TEXT NULL,
  action TEXT NOT NULL CHECK (
    action = 'deactivate' OR action = 'reactivate' OR action = 'create' OR action = 'move' OR action = 'roles' OR action = 'update' OR action = 'error'
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
