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
 * SYNC_CHILD_APPLY_PAUSE_MS=N: fault injection for the atomicity tests, kept out of the app. A
 * temporary trigger on this connection calls a function that blocks the thread N ms when the run
 * record is set to applied, i.e. inside the apply transaction after every user write of the plan
 * and before that transaction commits, and says so on stderr, so a test can kill -9 us there.
 */
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
if (pauseMs > 0) {
  const db = app.store.db;
  db.function('sync_child_pause', () => {
    process.stderr.write(`sync-child: pausing ${pauseMs} ms inside the apply transaction\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    return 0;
  });
  db.exec(`CREATE TEMP TRIGGER sync_child_pause AFTER UPDATE OF status ON main.sync_runs WHEN NEW.status = 'applied' BEGIN SELECT sync_child_pause(); END`);
}
try {
  const run = await app.sync.run({ serverId, mode, trigger: 'cli', runId, onProgress: (p) => say({ event: 'progress', ...p }) });
  say({ event: 'result', run });
} catch (err) {
  say({ event: 'error', code: err instanceof AppError ? err.code : 'THROWN', message: err instanceof Error ? err.message : String(err) });
} finally {
  app.close();
}
