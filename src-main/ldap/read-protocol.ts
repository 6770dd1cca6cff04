/** The messages between the main thread's reader (ldap/reader.ts) and the read worker (workers/read-worker.ts). */
import type { LdapTarget } from './target';

/** What to read: the first message the worker gets. */
export interface ReadWorkerStart {
  type: 'start';
  target: LdapTarget;
  /** The bind password; null for an anonymous bind. */
  password: string | null;
  attributes: string[];
  pageSize?: number;
}

/** Messages the worker posts. Errors cross as `{ code, message }` and become AppErrors again on main. */
export type ReadWorkerMessage =
  | { type: 'connected' }
  | { type: 'page'; buffer: ArrayBuffer; count: number }
  | { type: 'done'; entries: number; pages: number }
  | { type: 'error'; code: string; message: string };
