/**
 * Judging continuation references. At an Active Directory domain root every subtree search gets
 * references to the forest's other partitions (CN=Configuration, DC=DomainDnsZones,
 * DC=ForestDnsZones): they hold no users of this domain, and the root DSE lists them as naming
 * contexts of this very server. Those are known and harmless; any other reference means entries
 * held elsewhere were not read, and a sync must fail rather than take them for absent. A reference
 * is never followed: the app connects to the configured URL only.
 */
import type { ReferenceTarget, ReferralReport } from '../../src-shared/domain/referrals';
import { normalizeDn } from '../../src-shared/ldap/dn';
import { AppError } from '../../src-shared/errors';
import { DOMAIN_SCOPE_OID, type RootDse } from './root-dse';

/** A DN compared ignoring case and spacing (AD's naming attributes compare case-insensitively). */
const key = (dn: string): string | null => normalizeDn(dn)?.toLowerCase() ?? null;

/** The DN an LDAP URL names (`ldap://host/DN?...`), percent-decoded, or null. */
export function referenceDn(url: string): string | null {
  const m = /^ldaps?:\/\/[^/?#]*\/([^?#]*)/i.exec(url.trim());
  if (!m || m[1] === '') return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return null;
  }
}

/** The naming context (of those listed) that holds `dn`: the longest one it ends with, or null. */
function holdingContext(dn: string, contexts: readonly string[]): string | null {
  const k = key(dn);
  if (k === null) return null;
  let best: string | null = null;
  for (const c of contexts) {
    if (c === '' || c === null) continue;
    if ((k === c || k.endsWith(`,${c}`)) && (best === null || c.length > best.length)) best = c;
  }
  return best;
}

/** True when the directory advertises the domain-scope control. */
export const supportsDomainScope = (dse: RootDse): boolean => dse.supportedControl.includes(DOMAIN_SCOPE_OID);

/**
 * Sorts references into the forest's own partitions and the rest. Own: the target DN is exactly a
 * naming context the root DSE lists (namingContexts, configurationNamingContext,
 * schemaNamingContext) other than the one that holds the search base.
 */
export class ReferenceJudge {
  private readonly contexts: string[];
  private readonly baseContext: string | null;

  constructor(
    readonly dse: RootDse,
    baseDn: string,
  ) {
    const all = [...dse.namingContexts, dse.configurationNamingContext, dse.schemaNamingContext].filter((c): c is string => !!c);
    this.contexts = [...new Set(all.map(key).filter((c): c is string => c !== null))];
    this.baseContext = holdingContext(baseDn, this.contexts);
  }

  /** The judgement of one reference URL. */
  target(url: string): ReferenceTarget {
    const dn = referenceDn(url);
    const k = dn === null ? null : key(dn);
    const ownPartition = k !== null && this.contexts.includes(k) && k !== this.baseContext;
    return { url, dn, ownPartition };
  }
}

/** Collects the references of one search into a {@link ReferralReport}. */
export class ReferenceTally {
  private count = 0;
  private readonly targets = new Map<string, ReferenceTarget>();

  constructor(private readonly judge: ReferenceJudge) {}

  /** Adds references; returns the ones that are not the forest's own partitions. */
  add(urls: readonly string[]): string[] {
    const foreign: string[] = [];
    for (const url of urls) {
      this.count++;
      let t = this.targets.get(url);
      if (!t) this.targets.set(url, (t = this.judge.target(url)));
      if (!t.ownPartition) foreign.push(url);
    }
    return foreign;
  }

  /** The report, or null when no reference came back. */
  report(): ReferralReport | null {
    if (this.count === 0) return null;
    return referralReport(this.count, [...this.targets.values()], supportsDomainScope(this.judge.dse));
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
const named = (ts: readonly ReferenceTarget[]) => ts.map((t) => t.dn ?? t.url).join('; ');

/** The report and its admin text for references seen by a search. */
export function referralReport(count: number, targets: ReferenceTarget[], domainScope: boolean): ReferralReport {
  const own = targets.filter((t) => t.ownPartition);
  const foreign = targets.filter((t) => !t.ownPartition);
  let message = `The search returned ${plural(count, 'continuation reference')} (referrals to other partitions or servers, never followed).`;
  if (own.length > 0) {
    message += ` Ignored as the forest's own other partitions, which hold no users of this domain: ${named(own)}.`;
    if (domainScope) message += ' Syncs ask the directory not to send these (the domain-scope control it supports).';
  }
  if (foreign.length > 0) {
    message +=
      ` Not the forest's own partitions, so a sync would fail rather than miss the entries they hold: ${named(foreign)}.` +
      ' Narrow the search base to the part of the tree this server holds, or use the Global Catalog (port 3268, or 3269 with TLS), which answers for the whole forest.';
  }
  return { count, targets, failsSync: foreign.length > 0, domainScope, message };
}

/** The error for references a sync cannot ignore: entries held by other servers were not read. */
export function referralError(references: readonly string[]): AppError {
  const n = new Set(references).size;
  // The URL as sent (not only its DN): the host it names tells the admin which server holds the rest.
  const first = references[0];
  return new AppError(
    'REFERRAL',
    `The directory returned ${plural(n, 'referral')} to entries it does not hold (${first}${n > 1 ? ', ...' : ''}), so some entries were not read. Nothing was changed. ` +
      'Narrow the search base to the part of the tree this server holds, or point the URL at a server that holds the whole search base (Active Directory: the Global Catalog, port 3268, or 3269 with TLS).',
  );
}
