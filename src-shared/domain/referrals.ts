/**
 * Continuation references (RFC 4511 4.5.3) as the app reports them: a search at an Active
 * Directory domain root gets references to the forest's own other partitions (CN=Configuration,
 * DomainDnsZones, ForestDnsZones), which are harmless; any other reference means entries held
 * elsewhere were not read, which fails a sync. The doctor and the preview show this report.
 */

/** One distinct reference target. */
export interface ReferenceTarget {
  /** The URL as the directory sent it (e.g. `ldap://samdom.test/CN=Configuration,DC=samdom,DC=test`). */
  url: string;
  /** The DN the URL names, or null when it names none. */
  dn: string | null;
  /** True when the DN is one of the forest's own other naming contexts (from the root DSE). */
  ownPartition: boolean;
}

/** What the continuation references of a search mean for a sync. */
export interface ReferralReport {
  /** References returned (a reference repeated on several pages counts each time). */
  count: number;
  /** The distinct targets, in the order first seen. */
  targets: ReferenceTarget[];
  /** True when a sync, simulation or snapshot capture would fail because of them (a reference to anything but the forest's own partitions). */
  failsSync: boolean;
  /** True when the directory advertises the domain-scope control (1.2.840.113556.1.4.1339), which syncs send so that such references do not come back. */
  domainScope: boolean;
  /** One paragraph for the admin: how many, to what, what a sync does with them, and the fix when one is needed. */
  message: string;
}
