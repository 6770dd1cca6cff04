import { formatLdapUrl, parseLdapUrl } from '../ldap/url';

/** What kind of directory the rootDSE describes (Active Directory by its capability OIDs). */
export type DirectoryKind = 'active-directory' | 'ad-lds' | 'other';

/** The search base found in a server's rootDSE, and why it was chosen. */
export interface BaseDetection {
  /** The suggested search base. */
  baseDn: string;
  /** The form's URL with that base (host, port and scheme as typed). */
  url: string;
  kind: DirectoryKind;
  /** Which rootDSE attribute gave the base. */
  from: 'defaultNamingContext' | 'namingContexts';
  /** Every naming context the rootDSE lists (data and system ones alike), in its order. */
  namingContexts: string[];
  /** One or two sentences for the admin: what was found and why this base. */
  reason: string;
  /** Set when the port is a Global Catalog port (3268 / 3269): what that means for the attributes. */
  globalCatalog: string | null;
  /** The account the rootDSE was read as, or null when read anonymously. */
  boundAs: string | null;
}

/** Active Directory's Global Catalog ports: 3268 (ldap://, StartTLS) and 3269 (ldaps://). */
export const GLOBAL_CATALOG_PORTS: readonly number[] = [3268, 3269];

/**
 * What a Global Catalog port means, for the doctor, the detection and the docs: the whole forest
 * in one search (no referrals), but only the partial attribute set of each entry.
 */
export function globalCatalogNote(port: number): string | null {
  if (!GLOBAL_CATALOG_PORTS.includes(port)) return null;
  return `Port ${port} is Active Directory's Global Catalog: it answers for every domain of the forest without referrals, but holds only the partial attribute set of each entry. Check in the preview that the attributes your mapping and scripts read are there (mail, givenName, sn and userAccountControl are; many others are not), or use port ${port === 3268 ? 389 : 636} on a domain controller.`;
}

/**
 * The scheme, host and port of a URL without what follows them (the search base is what detection
 * replaces, so a half-typed one must not stop it).
 */
export function serverPartOf(url: string): string {
  const m = /^\s*(ldaps?:\/\/[^/?#]*)/i.exec(url);
  return m ? m[1] : url.trim();
}

/** The URL with its search base replaced (scheme, host and port as parsed and re-formatted), or null while they do not parse. */
export function urlWithBase(url: string, baseDn: string): string | null {
  const parsed = parseLdapUrl(serverPartOf(url));
  if (!parsed.ok) return null;
  return formatLdapUrl({ ...parsed.url, baseDn });
}
