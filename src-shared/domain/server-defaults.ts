import { defaultMapping, defaultScripts } from './mapping-defaults';
import type { ServerDraft } from './server';

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
