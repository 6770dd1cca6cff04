import type { Result } from '../errors';
import type { EventName, Events, Input, Method, Output } from './contract';

/** What the preload exposes as `window.api`: nothing but `invoke` and `on`. */
export interface Api {
  invoke<M extends Method>(method: M, input: Input<M>): Promise<Result<Output<M>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}

/** The transport the factory is built on: Electron's ipcRenderer in the preload, a test bridge in Playwright. */
export interface Transport {
  invoke(channel: string, method: string, input: unknown): Promise<unknown>;
  subscribe(channel: string, listener: (name: string, payload: unknown) => void): () => void;
}

/**
 * Builds `window.api` over a transport. It must stay self-contained (no imports, no closures over
 * module state) because the end-to-end bridge injects its source text into the page.
 */
export function createApi(transport: Transport, invokeChannel: string, eventChannel: string): Api {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let unsubscribe: (() => void) | null = null;
  const ensureSubscribed = () => {
    if (unsubscribe) return;
    unsubscribe = transport.subscribe(eventChannel, (name, payload) => {
      const set = listeners.get(name);
      if (set) for (const l of Array.from(set)) l(payload);
    });
  };
  const api = {
    invoke(method: string, input: unknown) {
      if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
      return transport.invoke(invokeChannel, method, input);
    },
    on(event: string, listener: (payload: unknown) => void) {
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      ensureSubscribed();
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set!.delete(listener);
      };
    },
  };
  return Object.freeze(api) as unknown as Api;
}
