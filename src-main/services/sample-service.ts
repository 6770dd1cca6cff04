/**
 * The bundled sample directory (resources/sample-directory): a fictional company's people as an
 * offline server named "Sample directory", with example scripts and matching organizations and
 * roles, so a first start works with no LDAP server at all. Everything it adds is marked, so one
 * action removes it again without touching the admin's own configuration.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { ServerScripts, AttributeMapping } from '../../src-shared/domain/mapping';
import { DEFAULT_TIMEOUT_SECONDS } from '../../src-shared/domain/server-defaults';
import { AppError } from '../../src-shared/errors';
import { findAppRoot } from '../native/app-root';
import { nameKey } from '../store/name-key';
import { findOrganizationByName, insertOrganization } from '../store/organizations-repo';
import { findRoleByName, insertRole } from '../store/roles-repo';
import { findServerByName, insertServer } from '../store/servers-repo';
import { deleteSnapshot } from '../store/snapshots-repo';
import type { SnapshotService } from './snapshot-service';

/** The name of the sample's offline server. */
export const SAMPLE_SERVER_NAME = 'Sample directory';

const SampleFile = z.object({
  server: z.object({
    name: z.string(),
    url: z.string(),
    searchFilter: z.string(),
    mapping: AttributeMapping,
    scripts: ServerScripts,
    createUsers: z.boolean(),
    defaultOrg: z.string(),
  }),
  snapshot: z.object({ name: z.string(), file: z.string() }),
  organizations: z.array(z.object({ name: z.string(), parent: z.string().nullable(), auth: z.enum(['local', 'sample']) })),
  roles: z.array(z.string()),
});

/** The folder of the bundled sample (resources/sample-directory under the app root). */
export function sampleDir(): string {
  const root = findAppRoot();
  if (!root) throw new AppError('NOT_FOUND', 'The bundled sample directory is missing: reinstall LDAP Sync Studio.');
  return join(root, 'resources', 'sample-directory');
}

export interface SampleStatus {
  /** The sample's server, when installed. */
  serverId: string | null;
  /** True when the store holds nothing yet (no servers, organizations or users): the app offers the sample. */
  storeEmpty: boolean;
}

export class SampleService {
  constructor(private readonly deps: { db: Database.Database; snapshots: SnapshotService; dir?: string; now?: () => Date }) {}

  private get db(): Database.Database {
    return this.deps.db;
  }

  status(): SampleStatus {
    const row = this.db.prepare(`SELECT id FROM servers WHERE sample = 1 LIMIT 1`).get() as { id: string } | undefined;
    const count = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    const storeEmpty = count(`SELECT COUNT(*) AS n FROM servers`) === 0 && count(`SELECT COUNT(*) AS n FROM organizations`) === 0 && count(`SELECT COUNT(*) AS n FROM users`) === 0;
    return { serverId: row?.id ?? null, storeEmpty };
  }

  /** Installs the sample (or returns the installed one): its snapshot, offline server, organizations and roles. */
  async install(): Promise<{ serverId: string }> {
    const existing = this.status().serverId;
    if (existing) return { serverId: existing };
    const dir = this.deps.dir ?? sampleDir();
    const spec = SampleFile.parse(JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')));
    if (findServerByName(this.db, spec.server.name)) {
      throw new AppError('CONFLICT', `A server named "${spec.server.name}" already exists, so the sample cannot be added. Rename that server first.`);
    }
    const clash = spec.organizations.find((o) => findOrganizationByName(this.db, o.name));
    if (clash) throw new AppError('CONFLICT', `An organization named "${clash.name}" already exists, so the sample cannot be added. Rename that organization first.`);
    const text = readFileSync(join(dir, spec.snapshot.file), 'utf8');
    let snapshotName = spec.snapshot.name;
    for (let n = 2; this.db.prepare(`SELECT 1 FROM snapshots WHERE name_key = ?`).get(nameKey(snapshotName)); n++) snapshotName = `${spec.snapshot.name} (${n})`;
    const snapshot = await this.deps.snapshots.importLdifText({ text, fileName: spec.snapshot.file, name: snapshotName, origin: 'sample' });
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    const serverId = randomUUID();
    try {
      this.db.transaction(() => {
        insertServer(this.db, {
          id: serverId,
          name: spec.server.name,
          url: spec.server.url,
          startTls: false,
          bindAnonymously: true,
          bindDn: '',
          searchFilter: spec.server.searchFilter,
          timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
          mapping: spec.server.mapping,
          scripts: spec.server.scripts,
          createUsers: spec.server.createUsers,
          defaultOrgId: null,
          offline: true,
          snapshotId: snapshot.id,
          scriptTests: [],
          passwordRef: null,
          passwordClearedAt: null,
          lastTest: null,
          createdAt: at,
          updatedAt: at,
        });
        this.db.prepare(`UPDATE servers SET sample = 1 WHERE id = ?`).run(serverId);
        const ids = new Map<string, string>();
        for (const o of spec.organizations) {
          const parentId = o.parent ? (ids.get(o.parent) ?? null) : null;
          const row = insertOrganization(this.db, { name: o.name, parentId, authServerId: o.auth === 'sample' ? serverId : null });
          this.db.prepare(`UPDATE organizations SET sample = 1 WHERE id = ?`).run(row.id);
          ids.set(o.name, row.id);
        }
        const defaultOrg = ids.get(spec.server.defaultOrg) ?? null;
        this.db.prepare(`UPDATE servers SET default_org_id = ? WHERE id = ?`).run(defaultOrg, serverId);
        for (const r of spec.roles) if (!findRoleByName(this.db, r)) insertRole(this.db, r);
      })();
    } catch (err) {
      deleteSnapshot(this.db, snapshot.id);
      throw err;
    }
    return { serverId };
  }

  /**
   * Removes everything the sample added: its server, its snapshot and its organizations (the roles
   * stay: they are the product's standard ones). Refused while users live in a sample organization.
   */
  remove(): { removed: boolean } {
    const server = this.db.prepare(`SELECT id, snapshot_id AS snapshotId FROM servers WHERE sample = 1`).get() as { id: string; snapshotId: string | null } | undefined;
    const orgs = this.db.prepare(`SELECT id, name FROM organizations WHERE sample = 1`).all() as { id: string; name: string }[];
    if (!server && orgs.length === 0) return { removed: false };
    const populated = this.db
      .prepare(`SELECT o.name, COUNT(u.id) AS n FROM organizations o JOIN users u ON u.org_id = o.id WHERE o.sample = 1 GROUP BY o.id ORDER BY o.name_key`)
      .all() as { name: string; n: number }[];
    if (populated.length) {
      throw new AppError('CONFLICT', `Users live in sample organizations (${populated.map((p) => `${p.name}: ${p.n}`).join(', ')}). Move them to your own organizations first.`);
    }
    const foreignChildren = this.db
      .prepare(`SELECT c.name FROM organizations c JOIN organizations p ON p.id = c.parent_id WHERE p.sample = 1 AND c.sample = 0`)
      .all() as { name: string }[];
    this.db.transaction(() => {
      // The admin's own organizations under a sample one move to the top level.
      if (foreignChildren.length) this.db.prepare(`UPDATE organizations SET parent_id = NULL WHERE sample = 0 AND parent_id IN (SELECT id FROM organizations WHERE sample = 1)`).run();
      if (server) {
        this.db.prepare(`UPDATE organizations SET auth_server_id = NULL WHERE auth_server_id = ? AND sample = 0`).run(server.id);
        this.db.prepare(`DELETE FROM servers WHERE id = ?`).run(server.id);
      }
      this.db.prepare(`DELETE FROM snapshots WHERE origin = 'sample'`).run();
      // Children first: delete leaves until none is left.
      for (let left = orgs.length; left > 0; ) {
        left -= this.db.prepare(`DELETE FROM organizations WHERE sample = 1 AND id NOT IN (SELECT parent_id FROM organizations WHERE parent_id IS NOT NULL)`).run().changes;
        const remaining = (this.db.prepare(`SELECT COUNT(*) AS n FROM organizations WHERE sample = 1`).get() as { n: number }).n;
        if (remaining === 0) break;
      }
    })();
    return { removed: true };
  }
}
