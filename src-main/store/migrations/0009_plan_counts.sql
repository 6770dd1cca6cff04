-- Issue 10: a run's plan rows counted by action, once, when the run ends (its rows never change
-- after that). The plan view shows these counts with every page, and a page without a search
-- takes its total from them: counting them from the rows read the whole plan each time (100k
-- rows: ~60 ms a page, at the end of every `ldap-sync simulate` and `sync` too). A run still
-- running has none (its counts come from its rows), so recovery, which deletes a dead run's rows,
-- never leaves counts without rows.
CREATE TABLE sync_change_counts (
  run_id TEXT NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  n INTEGER NOT NULL CHECK (n > 0),
  PRIMARY KEY (run_id, action)
) STRICT, WITHOUT ROWID;

INSERT INTO sync_change_counts (run_id, action, n)
  SELECT c.run_id, c.action, COUNT(*) FROM sync_changes c JOIN sync_runs r ON r.id = c.run_id
  WHERE r.status <> 'running'
  GROUP BY c.run_id, c.action;
