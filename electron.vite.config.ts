import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const STORE_MIGRATIONS = resolve(__dirname, 'src-main/store/migrations');

/** Copies the store's NNNN_name.sql migrations next to the main bundle (out/main/migrations). */
function storeMigrations(): Plugin {
  return {
    name: 'store-migrations',
    buildStart() {
      for (const f of readdirSync(STORE_MIGRATIONS)) if (f.endsWith('.sql')) this.addWatchFile(resolve(STORE_MIGRATIONS, f));
    },
    writeBundle(options) {
      cpSync(STORE_MIGRATIONS, resolve(options.dir ?? 'out/main', 'migrations'), { recursive: true });
    },
  };
}

const WORKERS = resolve(__dirname, 'src-main/workers');

/**
 * The worker entries (WORKER_NAMES of src-main/threads/start-worker.ts) as extra inputs of the
 * main build: each is emitted as out/main/<name>.js, next to index.js, where start-worker.ts
 * looks for it.
 */
function workerInputs(): Record<string, string> {
  const list = /export const WORKER_NAMES = \[([^\]]*)\]/.exec(readFileSync(resolve(__dirname, 'src-main/threads/start-worker.ts'), 'utf8'));
  if (!list) throw new Error('electron.vite.config.ts: WORKER_NAMES not found in src-main/threads/start-worker.ts');
  const names = [...list[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const missing = names.filter((n) => !existsSync(resolve(WORKERS, `${n}.ts`)));
  if (missing.length) throw new Error(`electron.vite.config.ts: WORKER_NAMES lists ${missing.join(', ')}, but src-main/workers/ has no such .ts file`);
  return Object.fromEntries(names.map((n) => [n, resolve(WORKERS, `${n}.ts`)]));
}

export default defineConfig({
  main: {
    plugins: [storeMigrations()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/index.ts'), ...workerInputs() },
        // Shared code goes into chunks in out/main itself: start-worker.ts finds `<name>.js` next to
        // the file that holds its code, wherever the bundler puts it.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed renderer only loads a CommonJS preload; bundle everything into it.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(__dirname, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
