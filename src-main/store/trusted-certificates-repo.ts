import type Database from 'better-sqlite3';
import type { TrustedCertificate } from '../../src-shared/domain/server';
import { serverNotFound } from './server-not-found';
import { prepared } from './statement-cache';

/** A stored trusted certificate: the certificate plus when it was first trusted. */
export interface TrustedRow extends TrustedCertificate {
  addedAt: string;
}

/** The certificates trusted for `serverId`, in the order they were last saved. */
export function listTrusted(db: Database.Database, serverId: string): TrustedRow[] {
  return prepared(
    db,
    `SELECT fingerprint256, subject, issuer, valid_from AS validFrom, valid_to AS validTo, pem, added_at AS addedAt
    FROM trusted_certificates WHERE server_id = @serverId ORDER BY rowid`,
  ).all({ serverId }) as TrustedRow[];
}

/**
 * Makes `certs` the exact set trusted for `serverId`, in one transaction. A certificate that was
 * already trusted keeps its `addedAt`; new ones get `now`. Duplicate fingerprints count once.
 * Throws AppError('NOT_FOUND') when the server does not exist.
 */
export function replaceTrusted(
  db: Database.Database,
  serverId: string,
  certs: readonly TrustedCertificate[],
  now: string = new Date().toISOString(),
): TrustedRow[] {
  return db.transaction((): TrustedRow[] => {
    if (!prepared(db, `SELECT 1 FROM servers WHERE id = @serverId`).get({ serverId })) {
      throw serverNotFound(serverId);
    }
    const addedAt = new Map(listTrusted(db, serverId).map((c) => [c.fingerprint256, c.addedAt]));
    prepared(db, `DELETE FROM trusted_certificates WHERE server_id = @serverId`).run({ serverId });
    const insert = prepared(
      db,
      `INSERT INTO trusted_certificates (server_id, fingerprint256, subject, issuer, valid_from, valid_to, pem, added_at)
      VALUES (@serverId, @fingerprint256, @subject, @issuer, @validFrom, @validTo, @pem, @addedAt)
      ON CONFLICT (server_id, fingerprint256) DO NOTHING`,
    );
    for (const c of certs) {
      insert.run({
        serverId,
        fingerprint256: c.fingerprint256,
        subject: c.subject,
        issuer: c.issuer,
        validFrom: c.validFrom,
        validTo: c.validTo,
        pem: c.pem,
        addedAt: addedAt.get(c.fingerprint256) ?? now,
      });
    }
    return listTrusted(db, serverId);
  })();
}
