import type { AppInfo } from '../src-shared/ipc/contract';
import { openStore, type Store } from './store/db';
import type { ScriptRunner } from './scripts/script-runner';
import { scriptLimitsFromEnv } from './scripts/limits-from-env';
import { systemKeychain, type Keychain } from './secrets/keychain';
import { PreviewService } from './services/preview-service';
import { ServerService } from './services/servers-service';
import { DirectoryService } from './services/directory-service';
import { SyncService } from './services/sync-service';
import { SnapshotService } from './services/snapshot-service';
import { SampleService } from './services/sample-service';
import { AuthService } from './services/auth-service';
import { LocalUsersService } from './services/local-users-service';
import { APP_VERSION } from './version';

/** Everything the app, the CLI and the end-to-end bridge share: one store and its services. */
export interface AppContext {
  store: Store;
  keychain: Keychain;
  servers: ServerService;
  preview: PreviewService;
  sync: SyncService;
  directory: DirectoryService;
  snapshots: SnapshotService;
  sample: SampleService;
  /** Sign-in and registration (the Test sign-in panel, `ldap-sync auth`). */
  auth: AuthService;
  /** Users added by hand or from CSV, local passwords, devices, registration keys. */
  localUsers: LocalUsersService;
  /** The one script engine of this context (its sandboxes in a worker thread), created on first use and reused. */
  scriptEngine(): Promise<ScriptRunner>;
  info(): Promise<AppInfo>;
  /** Closes preview sessions, the script engine and the store. */
  close(): void;
}

/** Options for {@link createAppContext}. */
export interface AppContextOptions {
  dbPath: string;
  keychain?: Keychain;
  env?: NodeJS.ProcessEnv;
}

/** Opens the store (applying migrations) and wires the services. */
export function createAppContext(opts: AppContextOptions): AppContext {
  const limits = scriptLimitsFromEnv(opts.env ?? process.env);
  const store = openStore(opts.dbPath);
  const keychain = opts.keychain ?? systemKeychain(opts.env);
  let engine: Promise<ScriptRunner> | null = null;
  let closed = false;
  const scriptEngine = (): Promise<ScriptRunner> => {
    if (closed) return Promise.reject(new Error('The app context is closed.'));
    // Loaded on first use: commands and windows that never run a script skip QuickJS entirely.
    const created =
      engine ??
      import('./scripts/script-runner')
        .then((m) => m.ScriptRunner.create(limits))
        .catch((err: unknown) => {
          engine = null;
          throw err;
        });
    engine = created;
    return created;
  };
  const servers = new ServerService({ db: store.db, keychain, env: opts.env, scriptEngine });
  const preview = new PreviewService({ db: store.db, servers, scriptEngine });
  const sync = new SyncService({ db: store.db, servers, scriptEngine, env: opts.env ?? process.env });
  const directory = new DirectoryService({ db: store.db });
  const snapshots = new SnapshotService({ db: store.db, servers });
  const sample = new SampleService({ db: store.db, snapshots });
  const auth = new AuthService({ db: store.db, servers, scriptEngine });
  const localUsers = new LocalUsersService({ db: store.db });
  return {
    store,
    keychain,
    servers,
    preview,
    sync,
    directory,
    snapshots,
    sample,
    auth,
    localUsers,
    scriptEngine,
    async info() {
      return { version: APP_VERSION, dbPath: store.file, keychain: await keychain.status() };
    },
    close() {
      if (closed) return;
      closed = true;
      preview.closeAll();
      for (const runId of sync.activeRuns) sync.cancel(runId);
      const pending = engine;
      engine = null;
      pending?.then((e) => e.dispose(), () => {});
      store.close();
    },
  };
}
