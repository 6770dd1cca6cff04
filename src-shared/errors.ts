/**
 * The closed list of error codes that cross the IPC boundary and the CLI's `--json` output.
 * UI code branches on these codes, never on message text.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN_SENDER',
  'UNKNOWN_METHOD',
  'DNS_FAILED',
  'CONNECT_REFUSED',
  'CONNECT_FAILED',
  'TIMEOUT',
  'TLS_UNTRUSTED',
  'TLS_FAILED',
  'STARTTLS_FAILED',
  'INVALID_CREDENTIALS',
  'BIND_FAILED',
  /** Active Directory bind refusals named by their diagnostic's sub-code (src-main/ldap/ad-bind-errors.ts). */
  'BIND_USER_NOT_FOUND',
  'BIND_ACCOUNT_DISABLED',
  'BIND_ACCOUNT_EXPIRED',
  'BIND_ACCOUNT_LOCKED',
  'BIND_PASSWORD_EXPIRED',
  'BIND_PASSWORD_MUST_CHANGE',
  'BIND_TIME_RESTRICTED',
  'BIND_WORKSTATION_RESTRICTED',
  'PASSWORD_REQUIRED',
  'NO_SUCH_BASE',
  'SIZE_LIMIT',
  'TIME_LIMIT',
  'LDAP_ERROR',
  'SECRET_UNAVAILABLE',
  'STORE_REFUSED',
  /** The store's file has damaged pages or broken links (src-main/store/integrity.ts); nothing was written. */
  'STORE_DAMAGED',
  /** The disk holding the store or an output file is full (ENOSPC, SQLITE_FULL); the operation changed nothing. */
  'DISK_FULL',
  'CANCELLED',
  'BUSY',
  'REFERRAL',
  'PARTIAL_RESULTS',
  'EMPTY_RESULT',
  'STALE_PLAN',
  /** A script read an attribute that was not fetched: the run stopped (see src-main/scripts/unfetched-reads.ts). */
  'SCRIPT_UNFETCHED_ATTRIBUTE',
  /** A password change for a user whose organization signs in with LDAP: it is changed in the directory. */
  'LDAP_MANAGED',
  'INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A problem attached to one input field, by its path (e.g. `url`, `servers[0].bindDn`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** The plain-JSON error shape that crosses IPC and appears in CLI `--json` output. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** Per-field problems, when the error is about input. */
  fields?: FieldIssue[];
}

/** An error thrown by main-side domain code; its code and message are safe to show the admin. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields?: FieldIssue[];
  constructor(code: ErrorCode, message: string, fields?: FieldIssue[]) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.fields = fields;
  }
  toInfo(): ErrorInfo {
    return this.fields ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message };
  }
}

/** The message for SQLite's "database is locked": a sync applying its plan (in its apply worker, or another process) holds the store's write lock. */
export const STORE_BUSY_MESSAGE = 'The store is busy: a sync is applying its changes (in this app or another process). Try again in a moment.';

/**
 * The admin-facing error for a failure of the system under us (SQLite, the file system) that has a
 * known cause and fix; null for anything else (a bug: reported as INTERNAL). Used by the IPC router
 * and the CLI, so both say the same thing.
 */
export function knownSystemFailure(err: unknown): AppError | null {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (/^SQLITE_BUSY/.test(code)) return new AppError('BUSY', STORE_BUSY_MESSAGE);
  if (/^SQLITE_FULL/.test(code) || code === 'ENOSPC') {
    return new AppError('DISK_FULL', `The disk is full (${detail}), so this stopped and changed nothing. Free some space on the disk that holds the store or the output file, then run it again.`);
  }
  if (/^SQLITE_CORRUPT/.test(code) || code === 'SQLITE_NOTADB') {
    return new AppError('STORE_DAMAGED', `The store is damaged (${detail}). Run "ldap-sync store check" to see the damage and how to recover.`);
  }
  if (/^SQLITE_READONLY/.test(code) || code === 'EROFS') {
    return new AppError('STORE_REFUSED', `The store cannot be written (${detail}). Commands that only read it (users, history, snapshot list) still work; to change it, make the store file and its folder writable for this user.`);
  }
  return null;
}

/** A result as it crosses the IPC boundary. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: ErrorInfo };
