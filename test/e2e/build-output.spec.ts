import { test, expect } from '@playwright/test';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { WORKER_NAMES } from '../../src-main/threads/start-worker';

// Checks on what `electron-vite build` produced, the files the desktop app actually loads.
const OUT = join(process.cwd(), 'out');

test.describe('the built app', () => {
  test.beforeEach(({}, info) => test.skip(info.project.name !== 'chromium', 'build checks run once'));

  test('ships a CommonJS preload that exposes only the typed api', () => {
    const preload = readFileSync(join(OUT, 'preload/preload.cjs'), 'utf8');
    expect(preload).toMatch(/require\(["']electron["']\)/);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload.match(/exposeInMainWorld/g)).toHaveLength(1);
  });

  test("serves the renderer with a CSP that has no 'unsafe-inline' and no inline scripts", () => {
    const html = readFileSync(join(OUT, 'renderer/index.html'), 'utf8');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  test('puts the store migrations next to the main bundle', () => {
    const files = readdirSync(join(OUT, 'main/migrations'));
    expect(files).toContain('0001_servers.sql');
    expect(existsSync(join(OUT, 'main/index.js'))).toBe(true);
  });

  test('emits each worker next to the main bundle, where the built start-worker code finds it', async () => {
    const main = join(OUT, 'main');
    // The module holding start-worker.ts's code (the only one that names the source bootstrap).
    const holders = readdirSync(main, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js') && readFileSync(join(main, f), 'utf8').includes('ts-bootstrap.mjs'));
    expect(holders).toHaveLength(1);
    expect(holders[0]).not.toContain('/');
    const mod = (await import(pathToFileURL(join(main, holders[0])).href)) as Record<string, unknown>;
    // Export names are minified; the function keeps its own name.
    const startWorker = Object.values(mod).find((v) => typeof v === 'function' && v.name === 'startWorker') as (name: string) => Worker;
    for (const name of WORKER_NAMES) {
      expect(existsSync(join(main, `${name}.js`))).toBe(true);
      // out/main has no TypeScript sources to fall back on: a worker that starts is the built one.
      const worker = startWorker(name);
      const started = await new Promise<string>((resolve) => {
        worker.once('online', () => resolve('online'));
        worker.once('error', (err) => resolve(`error: ${err.message}`));
      });
      await worker.terminate();
      expect(started).toBe('online');
    }
  });

  test('creates windows with isolation, sandbox and no Node integration', () => {
    const main = readFileSync(join(OUT, 'main/index.js'), 'utf8');
    expect(main).toMatch(/contextIsolation:\s*true/);
    expect(main).toMatch(/sandbox:\s*true/);
    expect(main).toMatch(/nodeIntegration:\s*false/);
    expect(main).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: "deny" \}\)\)/);
    expect(main).toMatch(/setPermissionRequestHandler/);
    expect(main).not.toMatch(/rejectUnauthorized:\s*false/);
  });
});
