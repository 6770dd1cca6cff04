/**
 * Search base detection from the rootDSE: Active Directory names its domain in
 * `defaultNamingContext`; OpenLDAP, 389-ds and others list their suffixes in `namingContexts`.
 */
import type { Client } from 'ldapts';
import { globalCatalogNote, urlWithBase, type BaseDetection, type DirectoryKind } from '../../src-shared/domain/base-detection';
import { AppError } from '../../src-shared/errors';
import { closeClient, connect } from './client';
import { withDeadline } from './deadline';
import { hostPort } from './host-port';
import { toLdapAppError } from './ldap-errors';
import { ROOT_DSE_ATTRIBUTES, rootDseFrom, type RootDse } from './root-dse';
import type { LdapTarget } from './target';

/** LDAP_CAP_ACTIVE_DIRECTORY_OID and LDAP_CAP_ACTIVE_DIRECTORY_ADAM_OID (AD LDS) in supportedCapabilities. */
const AD_CAPABILITY = '1.2.840.113556.1.4.800';
const AD_LDS_CAPABILITY = '1.2.840.113556.1.4.1851';

/** The rootDSE as the strict read sees it (root-dse.ts), plus the capabilities that name Active Directory. */
export interface RootDseFacts extends RootDse {
  supportedCapabilities: string[];
}

/** Naming contexts that hold a server's own configuration or monitoring, never its people. */
const SYSTEM_CONTEXT = /^(cn=(config|monitor|schema|subschema|changelog|accesslog)|o=netscaperoot|cn=ldap:\/\/)$|^(dc|cn)=(domaindnszones|forestdnszones)\b|^cn=(configuration|schema),/i;

/**
 * Chooses the search base from rootDSE facts: AD's defaultNamingContext, else the first naming
 * context that is not a system one (cn=config, cn=monitor, AD's configuration, schema and DNS
 * partitions). Throws NO_SUCH_BASE when there is none.
 */
export function chooseBase(facts: RootDseFacts, url: string, port: number, boundAs: string | null): BaseDetection {
  const kind: DirectoryKind = facts.supportedCapabilities.includes(AD_CAPABILITY) ? 'active-directory' : facts.supportedCapabilities.includes(AD_LDS_CAPABILITY) ? 'ad-lds' : 'other';
  const common = { kind, namingContexts: facts.namingContexts, globalCatalog: kind === 'other' ? null : globalCatalogNote(port), boundAs };
  if (facts.defaultNamingContext) {
    const baseDn = facts.defaultNamingContext;
    return {
      ...common,
      baseDn,
      url: urlWithBase(url, baseDn) ?? url,
      from: 'defaultNamingContext',
      reason: `${kind === 'active-directory' ? 'Active Directory' : 'The server'} names its domain in defaultNamingContext: ${baseDn}. The domain root holds every account; an OU below it (e.g. OU=Staff,${baseDn}) reads fewer entries.`,
    };
  }
  const system = new Set([facts.configurationNamingContext, facts.schemaNamingContext].filter((d): d is string => !!d).map((d) => d.toLowerCase()));
  const data = facts.namingContexts.filter((d) => d.trim() !== '' && !system.has(d.toLowerCase()) && !SYSTEM_CONTEXT.test(d.trim()));
  if (data.length === 0) {
    const listed = facts.namingContexts.length ? ` (it lists only ${facts.namingContexts.join('; ')})` : '';
    throw new AppError('NO_SUCH_BASE', `The server's rootDSE names no naming context that holds entries${listed}. Type the search base after the host in the URL.`);
  }
  const baseDn = data[0];
  const others = data.slice(1);
  return {
    ...common,
    baseDn,
    url: urlWithBase(url, baseDn) ?? url,
    from: 'namingContexts',
    reason:
      others.length === 0
        ? `The server holds one naming context: ${baseDn} (from namingContexts). A branch below it (e.g. ou=people,${baseDn}) reads fewer entries.`
        : `The server holds ${data.length} naming contexts; the first, ${baseDn}, was chosen. The others: ${others.join('; ')}. Pick the one that holds the people.`,
  };
}

/**
 * Reads the rootDSE over a bound (or anonymous) client. Unlike the strict read's reading (which
 * assumes nothing when it is hidden), a failure here is the detection's answer, so it is reported.
 */
export async function readRootDse(client: Client, t: LdapTarget, signal?: AbortSignal): Promise<RootDseFacts> {
  try {
    const attributes = [...ROOT_DSE_ATTRIBUTES, 'supportedCapabilities'];
    const r = await withDeadline(client.search('', { scope: 'base', filter: '(objectClass=*)', attributes }), t.timeoutMs + 1000, 'base', signal, () => void closeClient(client));
    const e = r.searchEntries[0];
    if (!e) throw new AppError('LDAP_ERROR', `${hostPort(t)} returned no rootDSE, so the search base cannot be detected. Type it after the host in the URL.`);
    // Keys keep the server's spelling: look it up ignoring case.
    const caps = Object.entries(e).find(([k]) => k.toLowerCase() === 'supportedcapabilities')?.[1];
    return { ...rootDseFrom(e as Record<string, unknown>), supportedCapabilities: Array.isArray(caps) ? caps.map(String) : typeof caps === 'string' ? [caps] : [] };
  } catch (err) {
    throw toLdapAppError(err, 'base', t);
  }
}

/**
 * Connects (StartTLS and bind as configured; anonymously when `password` is null), reads the
 * rootDSE and chooses the base. `url` is the form's URL, rewritten with the base in the result.
 */
export async function detectBase(t: LdapTarget, password: string | null, url: string, signal?: AbortSignal): Promise<BaseDetection> {
  const anonymous = t.bindAnonymously || password === null;
  const client = await connect(anonymous ? { ...t, bindAnonymously: true, bindDn: '' } : t, anonymous ? null : password, { signal });
  try {
    const facts = await readRootDse(client, t, signal);
    return chooseBase(facts, url, t.port, anonymous ? null : t.bindDn);
  } finally {
    await closeClient(client);
  }
}
