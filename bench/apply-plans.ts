/**
 * The synthetic store and plans of `npm run bench:apply` and `bench:conclude`: a server with 10
 * organizations, a first sync's plan of N creates shaped as the planner makes them, and a re-sync's
 * plan of moves and role changes of those users.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { orderedUuid } from '../src-main/store/ordered-id';
import type { StoredChange } from '../src-main/store/plan-rows-repo';
import type { ChangeData } from '../src-main/sync/planner';

const DESKTOP_USER = '5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a01';
const ORG_ADMIN = '5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a02';

/** Adds a server (creating users) and 10 organizations it authenticates. */
export function setupStore(db: Database.Database): { serverId: string; orgs: { id: string; name: string }[] } {
  const at = new Date().toISOString();
  const serverId = randomUUID();
  db.prepare(
    `INSERT INTO servers (id, name, name_key, url, start_tls, bind_anonymously, bind_dn, search_filter, timeout_seconds, create_users, created_at, updated_at)
    VALUES (?, 'Bench', 'bench', 'ldap://127.0.0.1:1/dc=example,dc=com', 0, 0, 'cn=sync', '(objectClass=inetOrgPerson)', 30, 1, ?, ?)`,
  ).run(serverId, at, at);
  const orgs = Array.from({ length: 10 }, (_, i) => ({ id: randomUUID(), name: `Dept D${100 + i}` }));
  const insertOrg = db.prepare(
    `INSERT INTO organizations (id, name, name_key, auth_server_id, registration_key, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  // Registration keys are unique (migration 0007).
  for (const o of orgs) insertOrg.run(o.id, o.name, o.name.toLowerCase(), serverId, randomUUID(), at, at);
  return { serverId, orgs };
}

/** A first sync's plan: one `create` per entry, as Planner.plan() pushes it. */
export function createPlan(n: number, orgs: { id: string; name: string }[]): StoredChange[] {
  const changes: StoredChange[] = [];
  const given = ['Anna', 'Ben', 'Chloé', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karin'];
  const surnames = ['Smith', 'Müller', 'Nguyen', 'García', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka', 'Jensen'];
  // Strings decoded from the directory's answer are flat; template literals make rope strings,
  // which V8 would flatten when binding them (a cost the real sync does not pay).
  const flat = (s: string) => Buffer.from(s, 'utf8').toString('utf8');
  for (let i = 1; i <= n; i++) {
    const username = `user${String(i).padStart(5, '0')}`;
    const dn = flat(`uid=${username},ou=people,dc=example,dc=com`);
    const org = orgs[i % orgs.length];
    const admin = i % 10 === 0;
    const roleIds = admin ? [DESKTOP_USER, ORG_ADMIN] : [DESKTOP_USER];
    const id = orderedUuid();
    const data: ChangeData = {
      kind: 'create',
      id,
      username,
      email: flat(`${username}@example.com`),
      firstName: given[i % given.length],
      lastName: surnames[(i * 7) % surnames.length],
      orgId: org.id,
      roleIds,
      dn,
      directoryId: randomUUID(),
    };
    changes.push({ username, dn, userId: id, action: 'create', to: org.name, reason: admin ? 'roles: Desktop User, Org Admin' : 'roles: Desktop User', data, seq: changes.length });
  }
  return changes;
}

/** A re-sync's plan: `moves` users to another organization, `roles` users with a role added or removed. */
export function resyncPlan(created: readonly StoredChange[], moves: number, roles: number, orgs: { id: string; name: string }[]): StoredChange[] {
  const changes: StoredChange[] = [];
  const step = Math.max(1, Math.floor(created.length / Math.max(1, moves + roles)));
  let k = 0;
  for (let j = 0; j < moves + roles && k < created.length; j++, k += step) {
    const c = created[k];
    const d = c.data as Extract<ChangeData, { kind: 'create' }>;
    if (j < moves) {
      const to = orgs[(orgs.findIndex((o) => o.id === d.orgId) + 1) % orgs.length];
      changes.push({ username: c.username, dn: c.dn, userId: d.id, action: 'move', from: c.to, to: to.name, data: { kind: 'move', orgId: to.id }, seq: changes.length });
    } else {
      const had = d.roleIds.length === 2;
      const roleIds = had ? [DESKTOP_USER] : [DESKTOP_USER, ORG_ADMIN];
      const [from, to] = had ? ['Desktop User, Org Admin', 'Desktop User'] : ['Desktop User', 'Desktop User, Org Admin'];
      const reason = had ? 'removed Org Admin' : 'added Org Admin';
      changes.push({ username: c.username, dn: c.dn, userId: d.id, action: 'roles', from, to, reason, data: { kind: 'roles', roleIds }, seq: changes.length });
    }
  }
  return changes;
}
