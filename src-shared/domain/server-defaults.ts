import { defaultMapping, defaultScripts } from './mapping-defaults';
import type { ServerDraft } from './server';

/** Default LDAP operation timeout, in seconds (as in the reference product). */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/** Default entries per page of a paged read: Active Directory's default MaxPageSize. */
export const DEFAULT_PAGE_SIZE = 1000;
/** The smallest page size accepted (smaller only multiplies round trips). */
export const MIN_PAGE_SIZE = 10;
/** The largest page size accepted (Active Directory and 389-ds cap pages well below this by default). */
export const MAX_PAGE_SIZE = 5000;

/** A blank form for a new server. */
export function emptyServerDraft(): ServerDraft {
  return {
    name: '',
    url: 'ldap://',
    startTls: false,
    bindAnonymously: false,
    bindDn: '',
    searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    timeoutSeconds: DEFAULT_TIMEOUT_SECONDS,
    pageSize: DEFAULT_PAGE_SIZE,
    trustedCertificates: [],
    mapping: defaultMapping(),
    scripts: defaultScripts(),
    createUsers: false,
    defaultOrgId: null,
    offline: false,
    snapshotId: null,
    scriptTests: [],
  };
}
