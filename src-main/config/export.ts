import type Database from 'better-sqlite3';
import { listServers, listTrusted, type ServerRow } from '../store/servers-repo';
import type { ConfigFileJson, ServerEntryJson } from './config-schema';

/** The outcome of {@link exportConfig}. */
export interface ExportResult {
  /** The configuration in the shape `config apply` reads, without any secret. */
  config: ConfigFileJson;
  /** Names of servers whose password is in the OS keychain and therefore not exported. */
  keychainServers: string[];
}

function entry(db: Database.Database, row: ServerRow): ServerEntryJson {
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
    trustedCertificates: listTrusted(db, row.id).map((c) => ({ pem: c.pem })),
    mapping: { ...row.mapping },
    scripts: { ...row.scripts },
  };
}

/**
 * The stored servers as a config file that `config apply` accepts. Passwords appear only as
 * `{ env }` / `{ file }` references; keychain passwords are left out and their servers listed.
 */
export function exportConfig(db: Database.Database): ExportResult {
  const rows = listServers(db);
  return {
    config: { servers: rows.map((r) => entry(db, r)) },
    keychainServers: rows.filter((r) => r.passwordRef?.kind === 'keychain').map((r) => r.name),
  };
}
