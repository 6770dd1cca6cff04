import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { applyConfig } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig } from '../../src-main/config/parse-config';
import { openStore } from '../../src-main/store/db';
import { findServerByName } from '../../src-main/store/servers-repo';

const URL = 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com';
const server = (extra: Record<string, unknown> = {}) => ({ name: 'DS', url: URL, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))', ...extra });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-page-size-config-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const parse = (servers: unknown[]) => parseConfig(JSON.stringify({ servers }), { baseDir: dir });

describe('the "pageSize" config key', () => {
  it('defaults to 1000 and takes 10 to 5000 entries', () => {
    const omitted = parse([server()]);
    const set = parse([server({ pageSize: 200 })]);
    expect(omitted.ok && omitted.config.servers[0]!.draft.pageSize).toBe(1000);
    expect(set.ok && set.config.servers[0]!.draft.pageSize).toBe(200);
    for (const value of [9, 5001, 250.5, '200']) {
      const r = parse([server({ pageSize: value })]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(['servers[0].pageSize']);
    }
  });

  it('is stored by apply, exported, and a change of it alone is an update', () => {
    const store = openStore(path.join(dir, 'store.sqlite'));
    try {
      const r = parse([server({ pageSize: 200 })]);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(applyConfig(store.db, r.config).servers).toEqual([{ name: 'DS', action: 'created', passwordCleared: false }]);
      expect(findServerByName(store.db, 'DS')!.pageSize).toBe(200);
      expect(exportConfig(store.db).config.servers[0]).toMatchObject({ name: 'DS', pageSize: 200 });
      const again = parse([server({ pageSize: 500 })]);
      if (!again.ok) throw new Error(JSON.stringify(again.issues));
      expect(applyConfig(store.db, again.config).servers).toEqual([{ name: 'DS', action: 'updated', passwordCleared: false }]);
      expect(findServerByName(store.db, 'DS')!.pageSize).toBe(500);
    } finally {
      store.close();
    }
  });

  it('gives servers stored before the migration the default page size (the column\'s default)', () => {
    const store = openStore(path.join(dir, 'check.sqlite'));
    store.close();
    const db = new Database(path.join(dir, 'check.sqlite'));
    try {
      const column = (db.prepare("SELECT dflt_value, \"notnull\" FROM pragma_table_info('servers') WHERE name = 'page_size'").get() as { dflt_value: string; notnull: number });
      expect(column).toEqual({ dflt_value: '1000', notnull: 1 });
    } finally {
      db.close();
    }
  });
});
