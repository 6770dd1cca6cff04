import type Database from 'better-sqlite3';
import { listOrganizations, type OrganizationRow } from '../store/organizations-repo';
import { listRoles } from '../store/roles-repo';
import { readSyncSettings } from '../store/settings-repo';
import { listServers, listTrusted, type ServerRow } from '../store/servers-repo';
import { listSnapshots } from '../store/snapshots-repo';
import type { ConfigFileJson, OrganizationEntryJson, ServerEntryJson } from './config-schema';
import { DEFAULT_PAGE_SIZE } from '../../src-shared/domain/server';

/** A whole configuration as `config export` writes it: every key present. */
export type ExportedConfigJson = Required<ConfigFileJson>;

/** The outcome of {@link exportConfig}. */
export interface ExportResult {
  /** The configuration in the shape `config apply` reads, without any secret. */
  config: ExportedConfigJson;
  /** Names of servers whose password is in the OS keychain and therefore not exported. */
  keychainServers: string[];
  /**
   * The snapshots the servers refer to (by name), with those servers: snapshots are data, not
   * configuration, so another store needs them imported before it accepts the file.
   */
  snapshots: { name: string; servers: string[] }[];
}

function entry(db: Database.Database, row: ServerRow, orgName: Map<string, string>, snapshotName: Map<string, string>): ServerEntryJson {
  const ref = row.passwordRef;
  const bindPassword = ref?.kind === 'env' ? { env: ref.name } : ref?.kind === 'file' ? { file: ref.path } : undefined;
  return {
    name: row.name,
    url: row.url,
    startTls: row.startTls,
    bindAnonymously: row.bindAnonymously,
    bindDn: row.bindDn,
    ...(bindPassword && { bindPassword }),
    searchFilter: row.searchFilter,
    timeoutSeconds: row.timeoutSeconds,
    pageSize: row.pageSize ?? DEFAULT_PAGE_SIZE,
    trustedCertificates: listTrusted(db, row.id).map((c) => ({ pem: c.pem })),
    mapping: { ...row.mapping },
    scripts: { ...row.scripts },
    createUsers: row.createUsers,
    defaultOrg: row.defaultOrgId === null ? null : (orgName.get(row.defaultOrgId) ?? null),
    offline: row.offline,
    snapshot: row.snapshotId === null ? null : (snapshotName.get(row.snapshotId) ?? null),
    scriptTests: row.scriptTests.map((c) => ({ id: c.id, script: c.script, name: c.name, entry: { dn: c.entry.dn, attributes: { ...c.entry.attributes }, ...(c.entry.groups ? { groups: [...c.entry.groups] } : {}) }, expected: c.expected })),
  };
}

function organization(row: OrganizationRow, orgName: Map<string, string>, serverName: Map<string, string>): OrganizationEntryJson {
  const server = row.authServerId === null ? undefined : serverName.get(row.authServerId);
  return {
    name: row.name,
    parent: row.parentId === null ? null : (orgName.get(row.parentId) ?? null),
    auth: server === undefined ? 'local' : { ldapServer: server },
  };
}

/**
 * The stored configuration as a file that `config apply` accepts: servers (with their offline
 * mode, attached snapshot by name and script test cases), organizations, roles and the sync
 * settings. Passwords appear only as `{ env }` / `{ file }` references; keychain passwords are left
 * out and their servers listed. The bundled sample's server and organizations are exported like
 * any other (they are part of the configuration).
 */
export function exportConfig(db: Database.Database): ExportResult {
  const rows = listServers(db);
  const orgs = listOrganizations(db);
  const orgName = new Map(orgs.map((o) => [o.id, o.name]));
  const serverName = new Map(rows.map((s) => [s.id, s.name]));
  const snapshots = listSnapshots(db);
  const snapshotName = new Map(snapshots.map((s) => [s.id, s.name]));
  const sync = readSyncSettings(db);
  return {
    config: {
      servers: rows.map((r) => entry(db, r, orgName, snapshotName)),
      organizations: orgs.map((o) => organization(o, orgName, serverName)),
      roles: listRoles(db).map((r) => r.name),
      sync: { every: sync.every, deactivationLimit: { ...sync.deactivationLimit }, registrantsNotFound: { ...sync.registrantsNotFound } },
    },
    keychainServers: rows.filter((r) => r.passwordRef?.kind === 'keychain').map((r) => r.name),
    snapshots: snapshots
      .map((s) => ({ name: s.name, servers: rows.filter((r) => r.snapshotId === s.id).map((r) => r.name) }))
      .filter((s) => s.servers.length > 0),
  };
}
