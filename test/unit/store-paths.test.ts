import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findAppRoot } from '../../src-main/native/app-root';
import { nativeBindingPath } from '../../src-main/native/sqlite-binding';
import { defaultStorePath, resolveStorePath } from '../../src-main/store/db';
import { AppError } from '../../src-shared/errors';

describe('store location', () => {
  it('on Linux the store lives under XDG_CONFIG_HOME', () => {
    expect(defaultStorePath({ platform: 'linux', env: { XDG_CONFIG_HOME: '/cfg' }, home: '/home/ann' })).toBe('/cfg/ldap-sync-studio/store.sqlite');
  });

  it('on Linux without XDG_CONFIG_HOME the store lives under ~/.config', () => {
    expect(defaultStorePath({ platform: 'linux', env: {}, home: '/home/ann' })).toBe('/home/ann/.config/ldap-sync-studio/store.sqlite');
    expect(defaultStorePath({ platform: 'linux', env: { XDG_CONFIG_HOME: 'relative' }, home: '/home/ann' })).toBe(
      '/home/ann/.config/ldap-sync-studio/store.sqlite',
    );
  });

  it('on macOS the store lives under Application Support', () => {
    expect(defaultStorePath({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/cfg' }, home: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/ldap-sync-studio/store.sqlite',
    );
  });

  it('on Windows the store lives under APPDATA', () => {
    expect(defaultStorePath({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, home: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\ldap-sync-studio\\store.sqlite',
    );
  });

  it('the --db flag wins over LDAP_SYNC_DB, which wins over the default', () => {
    const env = { LDAP_SYNC_DB: '/from/env.sqlite', XDG_CONFIG_HOME: '/cfg' };
    expect(resolveStorePath({ db: '/from/flag.sqlite', env })).toBe('/from/flag.sqlite');
    expect(resolveStorePath({ env })).toBe('/from/env.sqlite');
    expect(resolveStorePath({ env: { XDG_CONFIG_HOME: '/cfg' }, platform: 'linux' })).toBe('/cfg/ldap-sync-studio/store.sqlite');
    expect(resolveStorePath({ env: { LDAP_SYNC_DB: '', XDG_CONFIG_HOME: '/cfg' }, platform: 'linux' })).toBe('/cfg/ldap-sync-studio/store.sqlite');
  });

  it('a relative --db path is taken from the current directory', () => {
    expect(resolveStorePath({ db: 'here.sqlite', env: {} })).toBe(resolve('here.sqlite'));
  });

  it('an empty --db flag is invalid input rather than a silent fallback', () => {
    expect(() => resolveStorePath({ db: ' ', env: {} })).toThrow(AppError);
  });
});

describe('SQLite native binding', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'store-binding-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('under plain Node the package\'s own build is used', () => {
    expect(nativeBindingPath({ versions: { modules: '115' } })).toBeUndefined();
    expect(nativeBindingPath()).toBeUndefined();
  });

  it('under Electron the binary built for its ABI is used', () => {
    const file = join(root, 'native', 'electron-150', 'better_sqlite3.node');
    mkdirSync(join(root, 'native', 'electron-150'), { recursive: true });
    writeFileSync(file, '');
    expect(nativeBindingPath({ versions: { electron: '45.5.0', modules: '150' }, appRoot: root })).toBe(file);
  });

  it('under Electron a missing binary is refused with the command that builds it', () => {
    try {
      nativeBindingPath({ versions: { electron: '45.5.0', modules: '150' }, appRoot: root });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('STORE_REFUSED');
      expect((error as AppError).message).toContain('npm run native:electron');
      expect((error as AppError).message).toContain(join(root, 'native', 'electron-150', 'better_sqlite3.node'));
    }
  });

  it('the app root is the folder whose package.json is named ldap-sync-studio', () => {
    const nested = join(root, 'app', 'out', 'main');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(root, 'app', 'package.json'), JSON.stringify({ name: 'ldap-sync-studio' }));
    writeFileSync(join(root, 'app', 'out', 'package.json'), JSON.stringify({ name: 'something-else' }));
    expect(findAppRoot(nested)).toBe(join(root, 'app'));
    expect(findAppRoot(root)).toBeUndefined();
    expect(findAppRoot()).toBe(resolve(import.meta.dirname, '..', '..'));
  });
});
