import type { Page } from '@playwright/test';
import { createApi } from '../../src-shared/ipc/api';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../src-shared/ipc/channels';
import type { AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter } from '../../src-main/ipc/router';

/**
 * Connects a Chromium page to the real main-process router running in the test process:
 * `exposeBinding` plays `ipcMain.handle`, an init script builds `window.api` with the same factory
 * the preload uses, and `page.evaluate` delivers main-to-renderer events.
 */
export async function attachBridge(page: Page, ctx: AppContext, origin: string, opts: { chooseFile?: () => Promise<string | null> } = {}): Promise<void> {
  // The OS file dialog is Electron's; here the spec says what the admin would pick in it.
  const route = createRouter(createHandlers(ctx, { chooseFile: opts.chooseFile }), {
    isTrustedSender: (url) => !!url && url.startsWith(`${origin}/`),
    log: { error: (m, e) => console.error(m, e) },
  });
  await page.exposeBinding('__lssInvoke', async ({ frame }, method: unknown, input: unknown) =>
    route(frame.url(), method, input, {
      emit: (name, payload) => {
        void page.evaluate(([n, p]) => (globalThis as unknown as { __lssEmit?: (n: string, p: unknown) => void }).__lssEmit?.(n, p), [name, payload] as const).catch(() => {});
      },
    }),
  );
  // Passed as source text (the page's CSP forbids eval), so the factory must not reference imports.
  const script = `(() => {
    const listeners = [];
    const invoke = window.__lssInvoke;
    window.__lssEmit = (name, payload) => listeners.slice().forEach((l) => l(name, payload));
    const transport = {
      invoke: (_channel, method, input) => invoke(method, input),
      subscribe: (_channel, listener) => {
        listeners.push(listener);
        return () => { const i = listeners.indexOf(listener); if (i >= 0) listeners.splice(i, 1); };
      },
    };
    window.api = (${createApi.toString()})(transport, ${JSON.stringify(INVOKE_CHANNEL)}, ${JSON.stringify(EVENT_CHANNEL)});
  })();`;
  await page.addInitScript({ content: script });
}
