// The preload: exposes `window.api` with exactly two functions, `invoke` and `on`, over one request
// channel and one event channel. Built as CommonJS so it loads in a sandboxed renderer.
import { contextBridge, ipcRenderer } from 'electron';
import { createApi } from '../src-shared/ipc/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/ipc/channels';

const api = createApi(
  {
    invoke: (channel, method, input) => ipcRenderer.invoke(channel, method, input),
    subscribe: (channel, listener) => {
      const handler = (_event: unknown, name: string, payload: unknown) => listener(name, payload);
      ipcRenderer.on(channel, handler);
      return () => ipcRenderer.removeListener(channel, handler);
    },
  },
  INVOKE_CHANNEL,
  EVENT_CHANNEL,
);

contextBridge.exposeInMainWorld('api', api);
