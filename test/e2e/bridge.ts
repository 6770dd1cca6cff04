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
export async function attachBridge(
  page: Page,
  ctx: AppContext,
  origin: string,
  opts: { chooseFile?: () => Promise<string | null>; onCall?: (call: BridgeCall) => void } = {},
): Promise<void> {
  // The OS file dialog is Electron's; here the spec says what the admin would pick in it.
  const route = createRouter(createHandlers(ctx, { chooseFile: opts.chooseFile }), {
    isTrustedSender: (url) => !!url && url.startsWith(`${origin}/`),
    log: { error: (m, e) => console.error(m, e) },
  });
  const t0 = performance.now();
  await page.exposeBinding('__lssInvoke', async ({ frame }, method: unknown, input: unknown) => {
    const started = performance.now();
    const result = await route(frame.url(), method, input, {
      emit: (name, payload) => {
        void page.evaluate(([n, p]) => (globalThis as unknown as { __lssEmit?: (n: string, p: unknown) => void }).__lssEmit?.(n, p), [name, payload] as const).catch(() => {});
      },
    });
    opts.onCall?.({ method: String(method), atMs: Math.round(started - t0), tookMs: Math.round(performance.now() - started), input: brief(input), result: brief(result) });
    return result;
  });
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

/** One call through the bridge, for the failure report of a test (inputs and results shortened). */
export interface BridgeCall {
  method: string;
  /** Start, in ms since the bridge was attached. */
  atMs: number;
  tookMs: number;
  input: string;
  result: string;
}

/** `value` as JSON, passwords hidden, long strings and the whole cut short (a failure report, not a transcript). */
function brief(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (k, v: unknown) => (/password|secret/i.test(k) ? '(hidden)' : typeof v === 'string' && v.length > 160 ? `${v.slice(0, 160)}…(${v.length})` : v)) ?? 'undefined';
  } catch {
    text = String(value);
  }
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
