import { defaultMapping, defaultScripts } from './mapping-defaults';
import { DEFAULT_PAGE_SIZE } from './page-size';
import type { ServerDraft } from './server';

export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './page-size';

/** Default LDAP operation timeout, in seconds (as in the reference product). */
export const DEFAULT_TIMEOUT_SECONDS = 30;

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
