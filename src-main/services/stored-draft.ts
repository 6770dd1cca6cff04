import type Database from 'better-sqlite3';
import type { ServerDraft } from '../../src-shared/domain/server';
import { prepared } from '../store/statement-cache';
import type { ServerRow } from '../store/servers-repo';

/** The editable fields of a stored server, with its trusted certificates. */
export function draftOfStored(db: Database.Database, row: ServerRow): ServerDraft {
  const trusted = prepared(
    db,
    `SELECT fingerprint256, subject, issuer, valid_from AS validFrom, valid_to AS validTo, pem FROM trusted_certificates WHERE server_id = @id ORDER BY added_at`,
  ).all({ id: row.id }) as ServerDraft['trustedCertificates'];
  return {
    name: row.name,
    url: row.url,
    startTls: row.startTls,
    bindAnonymously: row.bindAnonymously,
    bindDn: row.bindDn,
    searchFilter: row.searchFilter,
    timeoutSeconds: row.timeoutSeconds,
    trustedCertificates: trusted,
    mapping: row.mapping,
    scripts: row.scripts,
    createUsers: row.createUsers,
    defaultOrgId: row.defaultOrgId,
    offline: row.offline,
    snapshotId: row.snapshotId,
    scriptTests: row.scriptTests,
  };
}
