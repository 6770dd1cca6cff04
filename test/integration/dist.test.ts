import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run dist` (scripts/dist.mjs) and electron-builder.yml. No test here downloads anything: the
// Electron runtime is named with ELECTRON_OVERRIDE_DIST_PATH (electron's own variable).
const ROOT = join(__dirname, '../..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string): string[]; statFile(archive: string, file: string): { unpacked?: boolean } };
const ELECTRON_VERSION = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version as string;
const ABI = readFileSync(join(ROOT, 'node_modules/electron/abi_version'), 'utf8').trim();

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ldap-sync-dist-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function dist(args: string[], env: Record<string, string>) {
  return spawnSync('npm', ['run', '--silent', 'dist', '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 240_000,
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ...env },
  });
}

describe('npm run dist', () => {
  it('stops before building anything, with one line, when the Electron runtime is missing', () => {
    const empty = join(work, 'no-electron');
    mkdirSync(empty);
    const result = dist([], { ELECTRON_OVERRIDE_DIST_PATH: empty });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(
      `Cannot build the installers: the Electron ${ELECTRON_VERSION} runtime is not in ELECTRON_OVERRIDE_DIST_PATH (${empty}). Run \`npm run dist\` on a machine with internet access (it downloads Electron first), or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${ELECTRON_VERSION}.`,
    );
  });

  // The path taken here, where Electron cannot be downloaded: Electron's installer asks a mirror on
  // 127.0.0.1 that has nothing, and the script says so in one line. (Skipped where Electron is present.)
  it.skipIf(existsSync(join(ROOT, 'node_modules/electron/path.txt')))('tries to download Electron first, and stops with one line when that fails', async () => {
    const requests: string[] = [];
    const mirror = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
    try {
      // Asynchronous: the mirror answers from this process while the script runs.
      const child = spawn('npm', ['run', '--silent', 'dist'], {
        cwd: ROOT,
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '', ELECTRON_OVERRIDE_DIST_PATH: '', ELECTRON_MIRROR: url, npm_config_electron_mirror: url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d));
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(requests).toEqual([`/v${ELECTRON_VERSION}/electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`]);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toEqual([
        `Cannot build the installers: the Electron ${ELECTRON_VERSION} runtime is not in node_modules/electron/dist and could not be downloaded (Response code 404 (Not Found) for ${url}v${ELECTRON_VERSION}/electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip). Run \`npm run dist\` on a machine with internet access, or point ELECTRON_OVERRIDE_DIST_PATH at an unpacked Electron ${ELECTRON_VERSION}.`,
      ]);
      expect(existsSync(join(ROOT, 'node_modules/electron/dist'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => mirror.close(() => resolve()));
    }
  });

  describe.skipIf(process.platform !== 'linux')('with an Electron runtime (a stand-in executable)', () => {
    const native = join(ROOT, 'native', `electron-${ABI}`, 'better_sqlite3.node');
    let createdNative = false;
    let app: string;

    beforeAll(() => {
      // electron-builder copies the runtime folder and renames its executable; a script stands in.
      const electronDist = join(work, 'electron');
      mkdirSync(join(electronDist, 'resources'), { recursive: true });
      writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(electronDist, 'electron'), 0o755);
      writeFileSync(join(electronDist, 'LICENSE'), 'stand-in');
      // The Electron-ABI module needs Electron's headers to build; a stand-in file is packed the same way.
      if (!existsSync(native)) {
        mkdirSync(join(native, '..'), { recursive: true });
        writeFileSync(native, 'stand-in for the Electron-ABI better-sqlite3 module');
        createdNative = true;
      }
      const output = join(work, 'release');
      const result = dist(['--linux', '--dir', `-c.directories.output=${output}`], { ELECTRON_OVERRIDE_DIST_PATH: electronDist });
      expect(result.stderr).not.toMatch(/⨯|Error:/);
      expect(result.status).toBe(0);
      app = join(output, 'linux-unpacked');
    }, 240_000);

    afterAll(() => {
      if (createdNative) rmSync(join(native, '..'), { recursive: true, force: true });
    });

    it('packs the built app, its production dependencies and the sample directory into app.asar', () => {
      const files = new Set(asar.listPackage(join(app, 'resources', 'app.asar')).map((f) => f.split('\\').join('/')));
      for (const file of [
        '/package.json',
        '/out/main/index.js',
        '/out/preload/preload.cjs',
        '/out/renderer/index.html',
        '/resources/sample-directory/directory.ldif',
        '/node_modules/better-sqlite3/lib/index.js',
        '/node_modules/ldapts/package.json',
        '/node_modules/quickjs-emscripten/package.json',
      ]) {
        expect(files, file).toContain(file);
      }
    });

    it('leaves out sources, tests, source maps and the Node-ABI SQLite build', () => {
      const files = asar.listPackage(join(app, 'resources', 'app.asar')).map((f) => f.split('\\').join('/'));
      expect(files.filter((f) => /^\/(src-main|src-renderer|src-shared|test|bench|scripts|dist)\//.test(f))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
      expect(files.filter((f) => f.startsWith('/node_modules/better-sqlite3/build/'))).toEqual([]);
      expect(files.filter((f) => /^\/node_modules\/(electron|electron-builder|vitest|typescript)\//.test(f))).toEqual([]);
    });

    it("keeps Electron's SQLite module outside the archive, where the app's path to it still leads", () => {
      const unpacked = join(app, 'resources', 'app.asar.unpacked', 'native', `electron-${ABI}`, 'better_sqlite3.node');
      expect(readFileSync(unpacked)).toEqual(readFileSync(native));
      // src-main/native/sqlite-binding.ts asks for <app.asar>/native/electron-<abi>/...; Electron serves it from here.
      expect(asar.statFile(join(app, 'resources', 'app.asar'), `native/electron-${ABI}/better_sqlite3.node`).unpacked).toBe(true);
    });

    it('names the executable ldap-sync-studio', () => {
      expect(existsSync(join(app, 'ldap-sync-studio'))).toBe(true);
    });
  });
});
