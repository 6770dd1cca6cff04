/**
 * Which directory product answers, from what its root DSE says about itself, so that limit
 * messages can name the settings of the directory in use rather than those of every directory.
 */
import type { RootDse } from './root-dse';

/** The directories whose settings the messages name; null when the root DSE does not tell. */
export type DirectoryKind = 'openldap' | 'active-directory' | '389-ds' | null;

/** LDAP_CAP_ACTIVE_DIRECTORY_OID: sent by Windows AD and Samba AD. */
const AD_CAPABILITY = '1.2.840.113556.1.4.800';

/** The directory product a root DSE belongs to, or null when it does not say (or was hidden). */
export function directoryKind(dse: Pick<RootDse, 'vendorName' | 'vendorVersion' | 'supportedCapabilities' | 'objectClass'>): DirectoryKind {
  if (dse.supportedCapabilities?.includes(AD_CAPABILITY)) return 'active-directory';
  // 389-ds says "389 Project" / "389-Directory/2.3.4"; Red Hat DS and the older Fedora DS say it too.
  if (/\b389\b/.test(`${dse.vendorName ?? ''} ${dse.vendorVersion ?? ''}`)) return '389-ds';
  if (/openldap/i.test(dse.vendorName ?? '') || dse.objectClass?.some((c) => c.toLowerCase() === 'openldaprootdse')) return 'openldap';
  return null;
}

/** The directory's name as an admin knows it. */
export const DIRECTORY_NAMES: Record<Exclude<DirectoryKind, null>, string> = {
  openldap: 'OpenLDAP',
  'active-directory': 'Active Directory',
  '389-ds': '389 Directory Server',
};
