import type { AppInfo } from '../src-shared/ipc/contract';
import { openStore, type Store } from './store/db';
import { systemKeychain, type Keychain } from './secrets/keychain';
import { ServerService } from './services/servers-service';
import { APP_VERSION } from './version';

/** Everything the app, the CLI and the end-to-end bridge share: one store and its services. */
export interface AppContext {
  store: Store;
  keychain: Keychain;
  servers: ServerService;
  info(): Promise<AppInfo>;
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
  const store = openStore(opts.dbPath);
  const keychain = opts.keychain ?? systemKeychain(opts.env);
  const servers = new ServerService({ db: store.db, keychain, env: opts.env });
  return {
    store,
    keychain,
    servers,
    async info() {
      return { version: APP_VERSION, dbPath: store.file, keychain: await keychain.status() };
    },
    close() {
      store.close();
    },
  };
}
