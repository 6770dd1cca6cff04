-- Issue 10: a run's plan is stored in chunks of up to 1,000 consecutive changes, one row each,
-- instead of one row per change. Writing 100k plan rows cost ~0.3 s of CPU (a simulation's main
-- thread after the read, a first sync's apply worker), most of it SQLite inserting 100k B-tree
-- entries and binding ~900k values; a chunk is one JSON text for all its changes. The plan view,
-- exports and approvals read chunks through plan-rows-repo.ts, which documents the format:
-- - actions: one letter per change (d deactivate, r reactivate, c create, m move, o roles,
--   u update, n dn, x reused, e error);
-- - rows: JSON, per change [userId, username, dn, from, to, reason] one after the other (a
--   create's user id is never there: a held plan's is in its apply data);
-- - data: JSON, each change's apply data (null: none), only for a plan applied later (held).
CREATE TABLE sync_change_chunks (
  run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  first_seq INTEGER NOT NULL CHECK (first_seq >= 0),
  n INTEGER NOT NULL CHECK (n > 0),
  actions TEXT NOT NULL CHECK (length(actions) = n),
  rows TEXT NOT NULL,
  data TEXT NULL,
  PRIMARY KEY (run_id, first_seq)
) STRICT, WITHOUT ROWID;

-- Every run's rows, 1,000 per chunk in plan order (a run's seq numbers are 0, 1, 2... with no gap).
INSERT INTO sync_change_chunks (run_id, first_seq, n, actions, rows, data)
  SELECT
    run_id,
    MIN(seq),
    COUNT(*),
    group_concat(
      CASE action
        WHEN 'deactivate' THEN 'd' WHEN 'reactivate' THEN 'r' WHEN 'create' THEN 'c' WHEN 'move' THEN 'm'
        WHEN 'roles' THEN 'o' WHEN 'update' THEN 'u' WHEN 'dn' THEN 'n' WHEN 'reused' THEN 'x' ELSE 'e'
      END, '' ORDER BY seq),
    '[' || group_concat(substr(row_json, 2, length(row_json) - 2), ',' ORDER BY seq) || ']',
    CASE WHEN COUNT(data_json) > 0 THEN '[' || group_concat(coalesce(data_json, 'null'), ',' ORDER BY seq) || ']' END
  FROM (
    SELECT run_id, seq, action, data_json,
      json_array(CASE WHEN action = 'create' THEN NULL ELSE user_id END, username, dn, from_text, to_text, reason) AS row_json
    FROM sync_changes
  )
  GROUP BY run_id, seq / 1000;

DROP TABLE sync_changes;
