/** The messages between the main thread's reader (ldap/reader.ts) and the read worker (workers/read-worker.ts). */
import type { ReferralReport } from '../../src-shared/domain/referrals';
import type { LdapTarget } from './target';

/** What to read: the first message the worker gets. */
export interface ReadWorkerStart {
  type: 'start';
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  attributes: string[];
  pageSize?: number;
  /** Send Active Directory's domain-scope control when advertised (default true). */
  domainScope?: boolean;
  /** Post column pages for these attributes (lower-cased; src-main/directory/column-page.ts) instead of entry pages. */
  columns?: string[];
}

/** Messages the worker posts. Errors cross as `{ code, message }` and become AppErrors again on main. */
export type ReadWorkerMessage =
  | { type: 'connected' }
  | { type: 'page'; buffer: ArrayBuffer; count: number }
  | { type: 'done'; entries: number; pages: number; references: ReferralReport | null }
  | { type: 'error'; code: string; message: string };
