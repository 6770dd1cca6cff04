// The Electron main process: one window, one IPC router, one store.
import { app, BrowserWindow, ipcMain, dialog } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../src-shared/ipc/channels';
import type { EventName, Events } from '../src-shared/ipc/contract';
import { AppError } from '../src-shared/errors';
import { createAppContext, type AppContext } from './app-context';
import { createHandlers, type FilePurpose } from './ipc/handlers';
import { createRouter } from './ipc/router';
import { resolveStorePath } from './store/store-path';
import { Scheduler } from './sync/scheduler';
import { APP_ORIGIN, createMainWindow, lockDownNavigation, lockDownSession, registerAppScheme, serveRenderer } from './window';

const here = dirname(fileURLToPath(import.meta.url));
registerAppScheme();
lockDownNavigation();
if (!app.requestSingleInstanceLock()) app.quit();

let ctx: AppContext | null = null;
/** Runs the sync schedule while the app is open (the CLI's `ldap-sync daemon` does the same headless). */
let scheduler: Scheduler | null = null;
/** Set once the scheduler is stopped and the store closed, so quitting can go ahead. */
let shutDown = false;

function log(message: string, err?: unknown) {
  // Only messages and stacks: inputs (which may hold a typed password) are never logged.
  console.error(`[main] ${message}`, err instanceof Error ? err.stack : (err ?? ''));
}

/** Main's own file dialog, for a bind password file or an LDIF file (the window only ever sees a token for it). */
async function chooseFile(purpose: FilePurpose): Promise<string | null> {
  const parent = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  const options = {
    title: purpose === 'ldif' ? 'Choose the LDIF file to import' : 'Choose the bind password file',
    filters: purpose === 'ldif' ? [{ name: 'LDIF', extensions: ['ldif', 'ldf', 'txt'] }, { name: 'All files', extensions: ['*'] }] : undefined,
    properties: ['openFile' as const, 'dontAddToRecent' as const],
  };
  const r = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
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
  const route = createRouter(createHandlers(ctx, { chooseFile }), {
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
  // Scheduled runs report to every window, as runs started from a window report to it.
  scheduler = new Scheduler({
    sync: ctx.sync,
    log: (line) => console.log(`[schedule] ${line}`),
    onProgress: (p) => broadcast('sync.progress', p),
    onFinished: (run) => broadcast('sync.finished', run),
  });
  scheduler.start();
});

/** Sends an event to every open window. */
function broadcast<E extends EventName>(name: E, payload: Events[E]): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(EVENT_CHANNEL, name, payload);
  }
}

app.on('second-instance', () => {
  // A second launch focuses nothing new; the first instance keeps the store.
});
app.on('window-all-closed', () => {
  app.quit();
});
// Quitting waits for the schedule to stop: a scheduled run in progress is cancelled (nothing of it
// is applied) and its lock released before the store closes.
app.on('before-quit', (event) => {
  if (shutDown) return;
  event.preventDefault();
  const stopping = scheduler?.stop() ?? Promise.resolve();
  void stopping
    .catch((err: unknown) => log('The sync schedule did not stop cleanly', err))
    .finally(() => {
      ctx?.close();
      ctx = null;
      shutDown = true;
      app.quit();
    });
});
