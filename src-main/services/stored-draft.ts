import type Database from 'better-sqlite3';
import { draftOfView, type ServerDraft, type TrustedCertificate } from '../../src-shared/domain/server';
import { toServerView } from '../store/server-view';
import { prepared } from '../store/statement-cache';
import type { ServerRow } from '../store/servers-repo';

/** The editable fields of a stored server, with its trusted certificates (in the order they were added). */
export function draftOfStored(db: Database.Database, row: ServerRow): ServerDraft {
  const trusted = prepared(
    db,
    `SELECT fingerprint256, subject, issuer, valid_from AS validFrom, valid_to AS validTo, pem FROM trusted_certificates WHERE server_id = @id ORDER BY added_at`,
  ).all({ id: row.id }) as TrustedCertificate[];
  return draftOfView(toServerView(row, trusted));
}
