import { test as base, chromium, _electron, expect, type Page } from '@playwright/test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { startKeyring } from '../rig/keyring';
import { attachBridge, type BridgeCall } from './bridge';
import { chromiumBinary, electronBinary, electronSqliteBinding } from './electron-binary';
import { serveStatic } from './static-server';

const RENDERER_DIR = join(process.cwd(), 'out/renderer');
const MAIN_ENTRY = join(process.cwd(), 'out/main/index.js');

type Fixtures = {
  /** The app page, in Chromium through the bridge or in real Electron. */
  app: Page;
  /** Console errors and page errors seen so far; any of them fails the test. */
  consoleErrors: string[];
  /** Main's OS file dialog: `choose(path)` says what the admin picks in it next (null: Cancel). */
  fileDialog: FileDialog;
  /** A private temp folder for the test's files (not test-results/, which another run empties), removed after it. */
  tempDir: string;
};

/** What main's file dialog answers (Electron's dialog.showOpenDialog; the bridge's chooseFile in Chromium). */
export interface FileDialog {
  choose(path: string | null): Promise<void>;
}

type WorkerFixtures = {
  keyringEnv: Record<string, string>;
};

export const test = base.extend<Fixtures, WorkerFixtures>({
  keyringEnv: [
    async ({}, use) => {
      const keyring = await startKeyring();
      await use(keyring.env as Record<string, string>);
      await keyring.stop();
    },
    { scope: 'worker' },
  ],
  consoleErrors: async ({}, use) => {
    await use([]);
  },
  fileDialog: async ({}, use) => {
    await use(dialogHolder());
  },
  tempDir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'lss-e2e-files-'));
    try {
      await use(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
  app: async ({ keyringEnv, consoleErrors, fileDialog }, use, testInfo) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lss-e2e-'));
    // A skipped test (no Electron here) ends by throwing: remove the folder whatever happens.
    const removeDataDir = () => rm(dataDir, { recursive: true, force: true });
    try {
      await runApp();
    } finally {
      await removeDataDir();
    }
    expect(consoleErrors, 'console errors on the page').toEqual([]);

    async function runApp(): Promise<void> {
      const dbPath = join(dataDir, 'store.sqlite');
      const watch = (page: Page) => {
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(m.text());
        });
        page.on('pageerror', (e) => consoleErrors.push(String(e)));
      };
      if (testInfo.project.name === 'electron') {
        const bin = electronBinary();
        testInfo.skip(!bin, 'No Electron binary on this machine (it cannot be downloaded here); the chromium project covers the same specs.');
        testInfo.skip(!existsSync(MAIN_ENTRY), 'out/main/index.js missing: run `npm run build` first.');
        testInfo.skip(!electronSqliteBinding(), 'SQLite is not built for Electron: run `npm run native:electron` (needs Electron headers from the internet).');
        const electronApp = await _electron.launch({
          executablePath: bin!,
          args: [MAIN_ENTRY],
          env: { ...process.env, ...keyringEnv, LDAP_SYNC_DB: dbPath } as Record<string, string>,
        });
        const page = await electronApp.firstWindow();
        (fileDialog as DialogHolder).electron = electronApp;
        watch(page);
        await use(page);
        await electronApp.close();
      } else {
        testInfo.skip(!existsSync(join(RENDERER_DIR, 'index.html')), 'out/renderer missing: run `npm run build` first.');
        const server = await serveStatic(RENDERER_DIR);
        const browser = await chromium.launch({
          executablePath: chromiumBinary(),
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
        });
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        watch(page);
        const ctx: AppContext = createAppContext({ dbPath, keychain: new SecretToolKeychain({ ...process.env, ...keyringEnv }) });
        // The main side of the page's calls: written beside a failed test's other results.
        const calls: BridgeCall[] = [];
        await attachBridge(page, ctx, server.origin, { chooseFile: async () => (fileDialog as DialogHolder).answer, onCall: (c) => calls.push(c) });
        await page.goto(`${server.origin}/index.html`);
        await use(page);
        if (testInfo.status !== testInfo.expectedStatus) {
          const file = testInfo.outputPath('ipc-calls.json');
          await writeFile(file, JSON.stringify(calls, null, 1));
          await testInfo.attach('ipc-calls', { path: file, contentType: 'application/json' });
        }
        await context.close();
        await browser.close();
        ctx.close();
        await server.close();
      }
    }
  },
});

type DialogHolder = FileDialog & { answer: string | null; electron: Awaited<ReturnType<typeof _electron.launch>> | null };

/** A file dialog answering the path given to `choose`: in Chromium through the bridge, in Electron by replacing showOpenDialog in main. */
function dialogHolder(): DialogHolder {
  const holder: DialogHolder = {
    answer: null,
    electron: null,
    async choose(path) {
      holder.answer = path;
      await holder.electron?.evaluate(({ dialog }, answer) => {
        dialog.showOpenDialog = (async () => ({ canceled: answer === null, filePaths: answer === null ? [] : [answer] })) as typeof dialog.showOpenDialog;
      }, path);
    },
  };
  return holder;
}

export { expect };
