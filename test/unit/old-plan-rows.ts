import type Database from 'better-sqlite3';
import type { StoredChange } from '../../src-main/store/plan-rows-repo';

/**
 * Writes changes as the plan rows of a store before 0010_plan_chunks.sql (one row per change in
 * sync_changes), as the app of that time wrote them: a create's planned user id and the apply data
 * only with `withData` (a held plan). For the tests of upgrades from such stores.
 */
export function writeOldPlanRows(db: Database.Database, runId: string, list: readonly StoredChange[], withData = false): void {
  const insert = db.prepare(`INSERT INTO sync_changes (run_id, seq, user_id, username, dn, action, from_text, to_text, reason, data_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const c of list) {
    const userId = withData || c.action !== 'create' ? c.userId : null;
    const data = withData && c.data !== null && c.data !== undefined ? JSON.stringify(c.data) : null;
    insert.run(runId, c.seq, userId, c.username, c.dn, c.action, c.from ?? null, c.to ?? null, c.reason ?? null, data);
  }
}
