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
 * Password references ({ env }) and LDAP_SYNC_FAULT_APPLY_PAUSE_MS are read from this process's
 * environment.
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
try {
  const run = await app.sync.run({ serverId, mode, trigger: 'cli', runId, onProgress: (p) => say({ event: 'progress', ...p }) });
  say({ event: 'result', run });
} catch (err) {
  say({ event: 'error', code: err instanceof AppError ? err.code : 'THROWN', message: err instanceof Error ? err.message : String(err) });
} finally {
  app.close();
}
