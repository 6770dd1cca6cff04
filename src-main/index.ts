// The Electron main process: one window, one IPC router, one store.
import { app, ipcMain, dialog } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/ipc/channels';
import { AppError } from '../src-shared/errors';
import { createAppContext, type AppContext } from './app-context';
import { createHandlers } from './ipc/handlers';
import { createRouter } from './ipc/router';
import { resolveStorePath } from './store/store-path';
import { APP_ORIGIN, createMainWindow, lockDownNavigation, lockDownSession, registerAppScheme, serveRenderer } from './window';

const here = dirname(fileURLToPath(import.meta.url));
registerAppScheme();
lockDownNavigation();
if (!app.requestSingleInstanceLock()) app.quit();

let ctx: AppContext | null = null;

function log(message: string, err?: unknown) {
  // Only messages and stacks: inputs (which may hold a typed password) are never logged.
  console.error(`[main] ${message}`, err instanceof Error ? err.stack : (err ?? ''));
}

app.whenReady().then(() => {
  try {
    ctx = createAppContext({ dbPath: resolveStorePath({}) });
  } catch (err) {
    const message = err instanceof AppError ? err.message : `The local store could not be opened: ${(err as Error).message}`;
    dialog.showErrorBox('LDAP Sync Studio cannot open its store', message);
    app.exit(1);
    return;
  }
  lockDownSession();
  serveRenderer(join(here, '../renderer'));
  const route = createRouter(createHandlers(ctx), {
    isTrustedSender: (url) => !!url && url.startsWith(`${APP_ORIGIN}/`),
    log: { error: log },
  });
  ipcMain.handle(INVOKE_CHANNEL, (event, method: unknown, input: unknown) =>
    route(event.senderFrame?.url, method, input, {
      emit: (name, payload) => {
        if (!event.sender.isDestroyed()) event.sender.send(EVENT_CHANNEL, name, payload);
      },
    }),
  );
  createMainWindow(join(here, '../preload/preload.cjs'));
});

app.on('second-instance', () => {
  // A second launch focuses nothing new; the first instance keeps the store.
});
app.on('window-all-closed', () => {
  ctx?.close();
  app.quit();
});
