import { test, expect, chromium, type Browser } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { RENDERER_HEADERS } from '../../src-main/renderer-csp';
import { attachBridge } from './bridge';
import { chromiumBinary } from './electron-binary';

// The built renderer under the headers src-main/window.ts sends with every app:// response (the CSP
// with frame-ancestors, nosniff): the whole app still works, breaks no rule of the policy, and a page
// of another origin cannot frame it.
const RENDERER_DIR = join(process.cwd(), 'out/renderer');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' };

/** Serves `handler`'s answers on 127.0.0.1. */
async function listen(handler: (path: string) => Promise<{ status: number; type?: string; body?: Buffer | string; headers?: Record<string, string> }>) {
  const server: Server = createServer((req, res) => {
    void handler(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).then(({ status, type, body, headers }) => {
      res.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The built renderer, every answer with RENDERER_HEADERS, as serveRenderer sends them. */
function serveRenderer() {
  const root = normalize(RENDERER_DIR + sep);
  return listen(async (path) => {
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root) || !existsSync(file)) return { status: 404, headers: { ...RENDERER_HEADERS } };
    return { status: 200, type: TYPES[extname(file)] ?? 'application/octet-stream', body: await readFile(file), headers: { ...RENDERER_HEADERS } };
  });
}

let browser: Browser;
test.beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: chromiumBinary(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
});
test.afterAll(async () => {
  await browser?.close();
});
test.beforeEach(({}, info) => {
  test.skip(info.project.name !== 'chromium', 'the electron project serves app:// through window.ts itself');
  test.skip(!existsSync(join(RENDERER_DIR, 'index.html')), 'out/renderer missing: run `npm run build` first.');
});

test('the app works under the CSP header and breaks none of its rules', async () => {
  const server = await serveRenderer();
  const dataDir = await mkdtemp(join(tmpdir(), 'lss-csp-'));
  const ctx: AppContext = createAppContext({ dbPath: join(dataDir, 'store.sqlite'), keychain: new SecretToolKeychain({}) });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    // Source text: this file is type-checked without the DOM library.
    await page.addInitScript({
      content: `window.__violations = [];
        document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));`,
    });
    await attachBridge(page, ctx, server.origin);
    const response = await page.goto(`${server.origin}/index.html`);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

    await page.getByRole('button', { name: 'Open the sample directory' }).click();
    await expect(page.getByRole('heading', { name: 'Sample directory', exact: true })).toBeVisible();
    const tabs = page.getByRole('navigation', { name: 'Screens' }).getByRole('button');
    for (const name of await tabs.allTextContents()) {
      await tabs.filter({ hasText: name }).first().click();
      await expect(tabs.filter({ hasText: name }).first()).toHaveAttribute('aria-current', 'page');
    }
    expect(await page.evaluate('window.__violations')).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    ctx.close();
    await rm(dataDir, { recursive: true, force: true });
    await server.close();
  }
});

test('a page of another origin cannot show the app in a frame', async () => {
  const app = await serveRenderer();
  const other = await listen(async () => ({ status: 200, type: 'text/html', body: `<!doctype html><iframe name="app" src="${app.origin}/index.html"></iframe>` }));
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const blocked = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await page.goto(`${other.origin}/`);
    await blocked;
    const frame = page.frame({ name: 'app' });
    // Chromium replaces a refused frame with an error page: none of the app's markup or code runs there.
    expect(await frame?.locator('#root').count()).toBe(0);
  } finally {
    await context.close();
    await app.close();
    await other.close();
  }
});
