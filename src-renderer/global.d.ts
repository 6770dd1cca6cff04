import type { Api } from '../src-shared/ipc/api';

declare global {
  interface Window {
    /** The preload's bridge (or the e2e test bridge): `invoke` and `on`, nothing else. */
    api: Api;
  }
}

export {};
