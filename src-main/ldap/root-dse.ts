/**
 * The root DSE (RFC 4512 5.1): what a directory says about itself before any search, read once per
 * connection. The strict read uses it to decide whether to send the domain-scope control and to
 * recognise continuation references to the forest's own other partitions (ldap/referrals.ts).
 */
import type { Client } from 'ldapts';

/** Active Directory's LDAP_SERVER_DOMAIN_SCOPE_OID: "do not return continuation references to other domains". */
export const DOMAIN_SCOPE_OID = '1.2.840.113556.1.4.1339';

/** What the root DSE says; lists are empty (and names undefined) when the server does not say or hides it. */
export interface RootDse {
  /** The naming contexts (partitions) this server holds. */
  namingContexts: string[];
  /** OIDs of the request controls the server supports. */
  supportedControl: string[];
  /** Active Directory: the domain's naming context (the usual search base). */
  defaultNamingContext?: string;
  /** Active Directory: `CN=Configuration,<forest root>`. */
  configurationNamingContext?: string;
  /** Active Directory: `CN=Schema,CN=Configuration,<forest root>`. */
  schemaNamingContext?: string;
  /** Active Directory: the forest root domain's naming context. */
  rootDomainNamingContext?: string;
  /** RFC 3045 vendorName, e.g. "389 Project" (OpenLDAP and AD do not send it). */
  vendorName?: string;
  /** RFC 3045 vendorVersion, e.g. "389-Directory/2.3.4". */
  vendorVersion?: string;
  /** Active Directory: capability OIDs (1.2.840.113556.1.4.800 = Active Directory; Samba AD too). */
  supportedCapabilities?: string[];
  /** The root DSE's object classes (OpenLDAP: OpenLDAProotDSE). */
  objectClass?: string[];
}

/** The attributes asked for: operational ones must be named (OpenLDAP returns none for `*`). */
export const ROOT_DSE_ATTRIBUTES = [
  'namingContexts',
  'supportedControl',
  'defaultNamingContext',
  'configurationNamingContext',
  'schemaNamingContext',
  'rootDomainNamingContext',
  'vendorName',
  'vendorVersion',
  'supportedCapabilities',
  'objectClass',
] as const;

/** A root DSE that says nothing (the server refused to show it). */
export const EMPTY_ROOT_DSE: RootDse = { namingContexts: [], supportedControl: [] };

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);
const one = (v: unknown): string | undefined => list(v)[0];

/** Builds a {@link RootDse} from an entry's attributes (names in any case). */
export function rootDseFrom(attributes: Record<string, unknown>): RootDse {
  const get = (name: string) => {
    const key = Object.keys(attributes).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? undefined : attributes[key];
  };
  const dse: RootDse = { namingContexts: list(get('namingContexts')), supportedControl: list(get('supportedControl')) };
  for (const name of ['defaultNamingContext', 'configurationNamingContext', 'schemaNamingContext', 'rootDomainNamingContext', 'vendorName', 'vendorVersion'] as const) {
    const v = one(get(name));
    if (v) dse[name] = v;
  }
  for (const name of ['supportedCapabilities', 'objectClass'] as const) {
    const v = list(get(name));
    if (v.length) dse[name] = v;
  }
  return dse;
}

/**
 * Reads the root DSE over a bound ldapts client. A server that refuses it (some deny the root DSE
 * to anonymous or unprivileged binds) gives {@link EMPTY_ROOT_DSE}: nothing is assumed then, so
 * no control is sent and no reference is taken as harmless.
 */
export async function readRootDse(client: Client): Promise<RootDse> {
  try {
    const r = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: [...ROOT_DSE_ATTRIBUTES] });
    const entry = r.searchEntries[0];
    return entry ? rootDseFrom(entry as Record<string, unknown>) : EMPTY_ROOT_DSE;
  } catch {
    return EMPTY_ROOT_DSE;
  }
}
