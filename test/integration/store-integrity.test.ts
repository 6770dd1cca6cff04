import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store/db';
import { loadMigrations } from '../../src-main/store/migration-files';
import { cliDirectories, cliWorkspace, corpConfig, json } from './cli-workspace';

const USERS = 40;
const dirs = cliDirectories(USERS);

/** Overwrites the first bytes of the root page of `table` (its b-tree page header) with garbage. */
function damageTable(file: string, table: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const { rootpage } = db.prepare('SELECT rootpage FROM sqlite_master WHERE name = ?').get(table) as { rootpage: number };
  db.close();
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(16, 0xee), 0, 16, (rootpage - 1) * pageSize);
  closeSync(fd);
  return rootpage;
}

function countUsers(file: string): { total: number; active: number; roles: number } {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS total, coalesce(sum(active), 0) AS active, (SELECT count(*) FROM user_roles) AS roles FROM users').get() as { total: number; active: number; roles: number };
  } finally {
    db.close();
  }
}

describe('the store is checked before every apply, and by ldap-sync store check', { timeout: 120_000 }, () => {
  let ws: Awaited<ReturnType<typeof cliWorkspace>>;
  let store: string;
  beforeAll(async () => {
    ws = await cliWorkspace('lss-integrity-', dirs.slapd);
    store = path.join(ws.dir, 'store.sqlite');
    // Staff get the Desktop User role; the second sync would give it to everyone.
    await ws.apply(corpConfig(dirs.slapd));
    const first = await ws.ldapSync(['sync', 'corp', '--json']);
    expect(first.code).toBe(0);
  });
  afterAll(() => ws?.remove());

  it('calls a sound store sound, fully and quickly', async () => {
    const full = await ws.ldapSync(['store', 'check']);
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('is sound (checked: pages, records, indexes and links)');
    const quick = json(await ws.ldapSync(['store', 'check', '--quick', '--json']));
    expect(quick).toMatchObject({ file: store, ok: true, depth: 'quick', problems: [] });
  });

  it('writes an owner-only backup that is a complete store, and refuses to overwrite a file', async () => {
    const r = await ws.ldapSync(['store', 'backup', 'copy.sqlite']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const copy = path.join(ws.dir, 'copy.sqlite');
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    expect(countUsers(copy)).toEqual(countUsers(store));
    const again = await ws.ldapSync(['store', 'backup', 'copy.sqlite', '--json']);
    expect(again.code).toBe(1);
    expect(json(again).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('already exists') });
  });

  it('refuses to apply a sync to a damaged store, changes no user, and says how to recover', async () => {
    const before = countUsers(store);
    expect(before).toMatchObject({ total: USERS, active: USERS });
    // Damage a table the sync never reads: it would otherwise open, sync and report success.
    damageTable(store, 'devices');
    const everyoneDesktop = corpConfig(dirs.slapd);
    everyoneDesktop.servers[0]!.scripts.roleName = "function(entry) { return ['Desktop User']; }";
    await ws.apply(everyoneDesktop);

    const sync = await ws.ldapSync(['sync', 'corp', '--json']);
    expect(sync.code).toBe(1);
    const out = json(sync);
    expect(out.error).toMatchObject({ code: 'STORE_DAMAGED', message: expect.stringContaining('nothing was written') });
    expect(out.error.message).toContain('ldap-sync store check');
    expect(countUsers(store)).toEqual(before);

    const check = await ws.ldapSync(['store', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('is DAMAGED');
    expect(check.stdout).toContain('ldap-sync --db NEW_FILE config apply');
    const asJson = json(await ws.ldapSync(['store', 'check', '--json']));
    expect(asJson.ok).toBe(false);
    expect(asJson.problems.length).toBeGreaterThan(0);
  });
});

describe('an upgrade of the store', () => {
  it('backs the store up first, owner-only, next to it', async () => {
    const ws = await cliWorkspace('lss-upgrade-', dirs.slapd);
    try {
      const file = path.join(ws.dir, 'store.sqlite');
      const all = loadMigrations();
      // A store made by an older app: every migration but the last.
      openStore(file, { migrations: all.slice(0, -1) }).close();
      expect(existsSync(`${file}.before-v${all.at(-1)!.version}.bak`)).toBe(false);
      openStore(file).close();
      const backup = `${file}.before-v${all.at(-1)!.version}.bak`;
      expect(statSync(backup).mode & 0o777).toBe(0o600);
      const old = new Database(backup, { readonly: true });
      const versions = old.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number };
      old.close();
      expect(versions.v).toBe(all.at(-2)!.version);
      // A store already up to date is not copied again.
      openStore(file).close();
      const check = json(await ws.ldapSync(['store', 'check', '--json']));
      expect(check.backups).toEqual([backup]);
    } finally {
      await ws.remove();
    }
  });
});
