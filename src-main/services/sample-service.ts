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
import { findOrganizationByName, insertOrganization } from '../store/organizations-repo';
import { findRoleByName, insertRole } from '../store/roles-repo';
import {
  markSampleOrganization,
  markSampleServer,
  populatedSampleOrganizations,
  removeSampleRecords,
  sampleOrganizations,
  sampleServer,
  setDefaultOrganization,
  snapshotNameTaken,
  storeIsEmpty,
} from '../store/sample-repo';
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
    return { serverId: sampleServer(this.db)?.id ?? null, storeEmpty: storeIsEmpty(this.db) };
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
    for (let n = 2; snapshotNameTaken(this.db, snapshotName); n++) snapshotName = `${spec.snapshot.name} (${n})`;
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
        markSampleServer(this.db, serverId);
        const ids = new Map<string, string>();
        for (const o of spec.organizations) {
          const parentId = o.parent ? (ids.get(o.parent) ?? null) : null;
          const row = insertOrganization(this.db, { name: o.name, parentId, authServerId: o.auth === 'sample' ? serverId : null });
          markSampleOrganization(this.db, row.id);
          ids.set(o.name, row.id);
        }
        const defaultOrg = ids.get(spec.server.defaultOrg) ?? null;
        setDefaultOrganization(this.db, serverId, defaultOrg);
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
    const server = sampleServer(this.db);
    const orgs = sampleOrganizations(this.db);
    if (!server && orgs.length === 0) return { removed: false };
    const populated = populatedSampleOrganizations(this.db);
    if (populated.length) {
      throw new AppError('CONFLICT', `Users live in sample organizations (${populated.map((p) => `${p.name}: ${p.n}`).join(', ')}). Move them to your own organizations first.`);
    }
    this.db.transaction(() => removeSampleRecords(this.db, server?.id ?? null))();
    return { removed: true };
  }
}
