/**
 * The backup made before a store upgrade (src-main/store/integrity.ts's backupBeforeUpgrade) when
 * its name is already taken: by an earlier upgrade (a time stamp is added), or by another process
 * between the look and the write (the next name), as several processes opening an old store at once
 * can do; the copy is the store's. The processes themselves: test/integration/store-concurrency.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStore, type Store } from '../../src-main/store/db';
import { backupBeforeUpgrade } from '../../src-main/store/integrity';
import { openDatabase } from '../../src-main/native/sqlite-binding';

let dir: string;
let store: Store;
let file: string;
const AT = new Date('2026-12-07T10:20:30.456Z');
const STAMP = '2026-12-07T10-20-30-456Z';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lss-upgrade-backup-'));
  file = join(dir, 'store.sqlite');
  store = openStore(file);
  store.db.prepare(`INSERT INTO servers (id, name, name_key, url, start_tls, bind_anonymously, bind_dn, search_filter, timeout_seconds, created_at, updated_at)
    VALUES ('s1', 'Kept', 'kept', 'ldap://h', 0, 1, '', '(uid=?)', 30, 'x', 'x')`).run();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The servers a backup holds (it is a store). */
function serversIn(backup: string): unknown[] {
  const db = openDatabase(backup, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT name FROM servers').all();
  } finally {
    db.close();
  }
}

it('writes STORE.before-vN.bak, and a time-stamped name when that one exists', () => {
  expect(backupBeforeUpgrade(store.db, file, 7, () => AT)).toBe(`${file}.before-v7.bak`);
  expect(backupBeforeUpgrade(store.db, file, 7, () => AT)).toBe(`${file}.before-v7-${STAMP}.bak`);
  expect(serversIn(`${file}.before-v7.bak`)).toEqual([{ name: 'Kept' }]);
  expect(serversIn(`${file}.before-v7-${STAMP}.bak`)).toEqual([{ name: 'Kept' }]);
});

it('moves on to the next name when the one it chose is taken before it writes, and leaves the other file alone', () => {
  // Both names taken, as by two processes that backed up within the same millisecond.
  writeFileSync(`${file}.before-v7.bak`, 'another process');
  writeFileSync(`${file}.before-v7-${STAMP}.bak`, 'another process');
  const target = backupBeforeUpgrade(store.db, file, 7, () => AT);
  expect(target).toBe(`${file}.before-v7-${STAMP}-2.bak`);
  expect(serversIn(target)).toEqual([{ name: 'Kept' }]);
  expect(readFileSync(`${file}.before-v7-${STAMP}.bak`, 'utf8')).toBe('another process');
});

it('fails with the reason when the backup cannot be written at all', () => {
  expect(() => backupBeforeUpgrade(store.db, join(dir, 'missing-folder', 'store.sqlite'), 7, () => AT)).toThrow(/cannot be created/);
});
