import type { PasswordState, ServerView, TrustedCertificate } from '../../src-shared/domain/server';
import type { PasswordRef, ServerRow } from './servers-repo';

/**
 * The renderer's and CLI's view of a stored server. Holds no secret: a keychain reference
 * becomes `{ kind: 'keychain' }` without its account name; certificates lose their store fields.
 */
export function toServerView(row: ServerRow, trusted: readonly TrustedCertificate[]): ServerView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    startTls: row.startTls,
    bindAnonymously: row.bindAnonymously,
    bindDn: row.bindDn,
    searchFilter: row.searchFilter,
    timeoutSeconds: row.timeoutSeconds,
    pageSize: row.pageSize,
    mapping: { ...row.mapping },
    scripts: { ...row.scripts },
    createUsers: row.createUsers,
    defaultOrgId: row.defaultOrgId,
    offline: row.offline,
    snapshotId: row.snapshotId,
    scriptTests: structuredClone(row.scriptTests),
    trustedCertificates: trusted.map((c) => ({
      fingerprint256: c.fingerprint256,
      subject: c.subject,
      issuer: c.issuer,
      validFrom: c.validFrom,
      validTo: c.validTo,
      pem: c.pem,
    })),
    password: toPasswordState(row.passwordRef),
    passwordClearedAt: row.passwordClearedAt,
    lastTest: row.lastTest && { ...row.lastTest },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function toPasswordState(ref: PasswordRef | null): PasswordState {
  if (ref === null) return { kind: 'none' };
  switch (ref.kind) {
    case 'keychain':
      return { kind: 'keychain' };
    case 'env':
      return { kind: 'env', name: ref.name };
    case 'file':
      return { kind: 'file', path: ref.path };
  }
}
