import { parseLdapUrl } from '../../src-shared/ldap/url';
import { analyzeSearchFilter } from '../../src-shared/ldap/filter';
import { validateServerDraft } from '../../src-shared/domain/validate-server';
import type { ServerDraft, TrustedCertificate } from '../../src-shared/domain/server';
import { DEFAULT_PAGE_SIZE } from '../../src-shared/domain/page-size';
import { AppError } from '../../src-shared/errors';

/** Everything needed to talk to one directory, resolved from a validated server draft. */
export interface LdapTarget {
  scheme: 'ldap' | 'ldaps';
  host: string;
  port: number;
  baseDn: string;
  startTls: boolean;
  bindAnonymously: boolean;
  bindDn: string;
  searchFilter: string;
  usernameAttribute: string;
  timeoutMs: number;
  trusted: TrustedCertificate[];
  /** Entries per page of paged reads (the server's Page size; absent: {@link DEFAULT_PAGE_SIZE}). */
  pageSize?: number;
}

/** The page size paged reads of the target use. */
export { pageSizeOf } from '../../src-shared/domain/page-size';

/** Validates a draft and resolves it into a target; throws INVALID_INPUT with per-field issues. */
export function targetFromDraft(draft: ServerDraft): LdapTarget {
  // Only the connection fields matter here: the name, the mapping and the scripts do not stop a test.
  const issues = validateServerDraft(draft).filter((i) => i.path !== 'name' && !/^(mapping|scripts)\./.test(i.path));
  if (issues.length) {
    throw new AppError('INVALID_INPUT', `Fix the form first: ${issues.map((i) => i.message).join('; ')}`, issues);
  }
  const parsed = parseLdapUrl(draft.url);
  const filter = analyzeSearchFilter(draft.searchFilter);
  if (!parsed.ok || !filter.ok) throw new AppError('INVALID_INPUT', 'The URL or search filter is invalid.');
  return {
    scheme: parsed.url.scheme,
    host: parsed.url.host,
    port: parsed.url.port,
    baseDn: parsed.url.baseDn,
    startTls: draft.startTls && parsed.url.scheme === 'ldap',
    bindAnonymously: draft.bindAnonymously,
    bindDn: draft.bindAnonymously ? '' : draft.bindDn.trim(),
    searchFilter: draft.searchFilter,
    usernameAttribute: filter.usernameAttribute,
    timeoutMs: draft.timeoutSeconds * 1000,
    trusted: draft.trustedCertificates,
    pageSize: draft.pageSize ?? DEFAULT_PAGE_SIZE,
  };
}
