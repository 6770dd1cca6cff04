import { cpSync, readdirSync } from 'node:fs';
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

export default defineConfig({
  main: {
    plugins: [storeMigrations()],
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'src-main/index.ts') } },
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
