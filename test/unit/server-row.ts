import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import type { ServerRow } from '../../src-main/store/servers-repo';

/** A stored server row for store tests: `srv-1`, bound as a service account, default mapping and scripts. */
export function serverRow(overrides: Partial<ServerRow> = {}): ServerRow {
  return {
    id: 'srv-1',
    name: 'Corporate LDAP',
    url: 'ldaps://ldap.example.com:636',
    startTls: false,
    bindAnonymously: false,
    bindDn: 'cn=sync,ou=services,dc=example,dc=com',
    searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    timeoutSeconds: 30,
    pageSize: 1000,
    mapping: defaultMapping(),
    createUsers: false,
    defaultOrgId: null,
    offline: false,
    snapshotId: null,
    scriptTests: [],
    scripts: defaultScripts(),
    passwordRef: { kind: 'keychain', account: 'server:srv-1' },
    passwordClearedAt: null,
    lastTest: null,
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    ...overrides,
  };
}
