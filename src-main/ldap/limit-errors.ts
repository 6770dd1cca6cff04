/**
 * The size-limit (result 4) and administrative-limit (result 11) messages, naming the settings of
 * the directory in use when its root DSE tells (ldap/directory-kind.ts), else of every directory
 * this app is tested against. 389-ds applies its size limit per page, so a smaller Directory page size can
 * read whole what the default page of 1,000 cannot: the doctor tries that (ldap/doctor.ts).
 */
import { AppError } from '../../src-shared/errors';
import { DIRECTORY_NAMES, type DirectoryKind } from './directory-kind';

type Known = Exclude<DirectoryKind, null>;

/** Where each directory sets the size limit for one account and for everyone. */
const SIZE_SETTINGS: Record<Known, string> = {
  openldap: 'OpenLDAP: a "limits" rule for the account (size, size.pr, size.prtotal) or olcSizeLimit',
  'active-directory': 'Active Directory: MaxPageSize in the LDAP policy (ntdsutil)',
  '389-ds': '389-ds: nsSizeLimit and nsPagedSizeLimit on the bind entry, or nsslapd-sizelimit in cn=config (applied per page)',
};

/** Where each directory sets the limits that answer "administrative limit exceeded". */
const ADMIN_SETTINGS: Record<Known, string> = {
  openldap: 'OpenLDAP: a "limits" rule for the account (size.unchecked, size.pr, size.prtotal)',
  'active-directory': 'Active Directory: MaxResultSetSize and MaxPageSize in the LDAP policy (ntdsutil)',
  '389-ds':
    '389-ds: nsLookThroughLimit on the bind entry or nsslapd-lookthroughlimit (entries examined, default 5,000), and nsslapd-idlistscanlimit (default 4,000; or index the filter\'s attributes)',
};

const ORDER: Known[] = ['openldap', 'active-directory', '389-ds'];

function settings(table: Record<Known, string>, kind: DirectoryKind): string {
  return kind ? table[kind] : ORDER.map((k) => table[k]).join('; ');
}

const who = (bindDn: string) => `"${bindDn || 'anonymous'}"`;
const on = (kind: DirectoryKind) => (kind ? ` (${DIRECTORY_NAMES[kind]})` : '');

/** Result 4, sizeLimitExceeded: the directory stopped after its size limit for this account. */
export function sizeLimitError(bindDn: string, kind: DirectoryKind, diag = ''): AppError {
  return new AppError(
    'SIZE_LIMIT',
    `The directory${on(kind)} stopped the search early: size limit exceeded for ${who(bindDn)}${diag}. Nothing was changed. Ask the directory administrator to raise the size limit for this account (${settings(SIZE_SETTINGS, kind)}), or narrow the search filter or base.${kind === 'openldap' || kind === 'active-directory' ? '' : ' Where the limit applies per page (389-ds), a smaller Directory page size in the server\'s settings reads every entry: the connection test tries one.'}`,
  );
}

/** Result 11, adminLimitExceeded: a look-through, ID-list or paging limit of the directory. */
export function adminLimitError(bindDn: string, kind: DirectoryKind, diag = ''): AppError {
  return new AppError(
    'SIZE_LIMIT',
    `The directory${on(kind)} stopped the search early: administrative limit exceeded${diag} for ${who(bindDn)}. Nothing was changed. Ask the directory administrator to raise the limits for this account (${settings(ADMIN_SETTINGS, kind)}), or narrow the search filter or base.`,
  );
}
