/**
 * A child-process entry for the sync fault tests: opens the store at DB (another process than
 * the test's), runs one sync or simulation of a server, and reports on stdout, one JSON object a
 * line:
 *
 *   {"event":"progress", ...SyncProgress}   every progress event (the first one, 'connecting',
 *                                            means the run holds the store's lock)
 *   {"event":"result", "run": RunSummary}   how the run ended
 *   {"event":"error", "code", "message"}    run() threw (e.g. BUSY)
 *
 *   tsx test/integration/sync-child.ts DB SERVER_ID simulate|sync RUN_ID
 *
 * Password references ({ env }) are read from this process's environment.
 *
 * SYNC_CHILD_APPLY_PAUSE_MS=N: fault injection for the atomicity tests, kept out of the app. The
 * apply runs in the apply worker, on a connection of its own, so a temporary trigger or a function
 * made here would not reach it. Instead a trigger in the store itself (limited to this run's id, so
 * later runs do not see it) makes the worker's transaction count through a recursive view for about
 * N ms when the run record is set to applied, i.e. after every user write of the plan and before
 * the commit. This thread, free meanwhile, says so on stderr once it sees the write lock held after
 * the 'applying' progress event, so a test can kill -9 us inside that transaction.
 */
import Database from 'better-sqlite3';
import { createAppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { AppError } from '../../src-shared/errors';

const [dbPath, serverId, mode, runId] = process.argv.slice(2);
if (!dbPath || !serverId || (mode !== 'simulate' && mode !== 'sync') || !runId) {
  process.stderr.write('usage: sync-child.ts DB SERVER_ID simulate|sync RUN_ID\n');
  process.exit(2);
}

const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

const app = createAppContext({ dbPath, keychain: new SecretToolKeychain({ PATH: process.env.PATH }), env: process.env });
const pauseMs = Number(process.env.SYNC_CHILD_APPLY_PAUSE_MS ?? 0);
/** Rows the pause view counts per millisecond (SQLite counts ~6-7 million a second here). */
const ROWS_PER_MS = 6000;
if (pauseMs > 0) {
  const tag = runId.replace(/[^A-Za-z0-9]/g, '_');
  app.store.db.exec(`
    CREATE VIEW sync_child_pause_${tag} AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${Math.round(pauseMs * ROWS_PER_MS)}) SELECT count(*) AS n FROM c;
    CREATE TRIGGER sync_child_pause_${tag} AFTER UPDATE OF status ON sync_runs WHEN NEW.status = 'applied' AND NEW.id = '${runId.replace(/'/g, "''")}'
    BEGIN SELECT n FROM sync_child_pause_${tag}; END;`);
}

/** Once the apply began: polls (another connection, no busy wait) until the worker holds the write lock, then says so. */
function reportPauseOnceLocked(): void {
  const probe = new Database(dbPath);
  probe.pragma('busy_timeout = 0');
  const timer = setInterval(() => {
    try {
      probe.exec('BEGIN IMMEDIATE');
      probe.exec('ROLLBACK');
    } catch (err) {
      if (!/^SQLITE_BUSY/.test(String((err as { code?: unknown }).code))) throw err;
      clearInterval(timer);
      probe.close();
      process.stderr.write(`sync-child: pausing ${pauseMs} ms inside the apply transaction\n`);
    }
  }, 5);
}

try {
  const run = await app.sync.run({ serverId, mode, trigger: 'cli', runId, onProgress: (p) => {
    say({ event: 'progress', ...p });
    if (pauseMs > 0 && p.phase === 'applying') reportPauseOnceLocked();
  } });
  say({ event: 'result', run });
} catch (err) {
  say({ event: 'error', code: err instanceof AppError ? err.code : 'THROWN', message: err instanceof Error ? err.message : String(err) });
} finally {
  app.close();
}
