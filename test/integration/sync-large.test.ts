/**
 * A run of 20,000 entries against a real slapd and a real store, where the stream's chunks (2,000
 * changes) and the creates' multi-row INSERTs (1,000 users) are many: the plan a simulation records
 * (written on main) is the one the sync then applies (written and applied by the apply worker while
 * the plan is made), and a simulation changes no user.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import type { ServerView } from '../../src-shared/domain/server';
import { storedChanges } from '../../src-main/store/plan-rows-repo';
import { startSlapd, type Slapd } from '../rig/slapd';
import { rigDraft } from './preview-fixture';

const USERS = 20_000;
const ACTIVE = `function(entry) { return entry.employeeType !== 'terminated'; }`;
const ORG = `function(entry) { return 'Dept ' + entry.departmentNumber; }`;
const ROLE = `function(entry) { return entry.employeeType === 'admin' ? ['Desktop User', 'Org Admin'] : ['Desktop User']; }`;

let slapd: Slapd;
let dir: string;
let app: AppContext;
let server: ServerView;

beforeAll(async () => {
  slapd = await startSlapd({ users: USERS, logOps: false, sizeLimitedUser: false });
  dir = await mkdtemp(join(tmpdir(), 'lss-sync-large-'));
  app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }), env: { SYNC_PW: slapd.syncPw } });
  server = await app.servers.create({ ...rigDraft(slapd), name: 'Corp', scripts: { active: ACTIVE, orgName: ORG, roleName: ROLE }, createUsers: true }, { kind: 'env', name: 'SYNC_PW' });
  for (let d = 100; d < 110; d++) app.directory.createOrg({ name: `Dept D${d}`, parentId: null, authServerId: server.id });
}, 180_000);

afterAll(async () => {
  app?.close();
  await slapd?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A run's plan rows as stored: what the history shows, with each change's user and apply data. */
function rows(db: Database.Database, runId: string) {
  return storedChanges(db, runId);
}
const countOf = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe(`a run of ${USERS.toLocaleString('en-US')} entries`, () => {
  it('a simulation records every row and changes no user; the sync applies exactly that plan', async () => {
    const db = app.store.db;
    const sim = await app.sync.run({ serverId: server.id, mode: 'simulate', trigger: 'manual' });
    expect(sim.status).toBe('simulated');
    expect(sim.entries).toBe(USERS);
    expect(sim.counts.created).toBe(USERS);
    expect(countOf(db, `SELECT COUNT(*) AS n FROM users`)).toBe(0);
    const simRows = rows(db, sim.id);
    expect(simRows.length).toBe(USERS);
    expect(simRows.map((r) => r.seq)).toEqual(simRows.map((_, i) => i));
    // As a simulation's rows always are: no planned id, no apply data.
    expect(simRows.every((r) => r.userId === null && r.data === null && r.action === 'create')).toBe(true);
    expect(db.prepare(`SELECT action, n FROM sync_change_counts WHERE run_id = ?`).all(sim.id)).toEqual([{ action: 'create', n: USERS }]);

    const applied = await app.sync.run({ serverId: server.id, mode: 'sync', trigger: 'manual' });
    expect(applied.status).toBe('applied');
    expect(applied.counts).toEqual(sim.counts);
    expect(rows(db, applied.id)).toEqual(simRows);
    expect(countOf(db, `SELECT COUNT(*) AS n FROM users`)).toBe(USERS);
    const created = (db.prepare(`SELECT username FROM users ORDER BY username`).all() as { username: string }[]).map((u) => u.username);
    expect(created).toEqual(simRows.map((r) => r.username as string).sort());
    expect(db.pragma('foreign_key_check')).toEqual([]);
  }, 120_000);
});
