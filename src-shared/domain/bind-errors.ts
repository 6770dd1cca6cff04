import type { ErrorCode } from '../errors';

/**
 * The bind failures Active Directory names with a sub-code in its diagnostic (`AcceptSecurityContext
 * error, data 533`) where the password is not what to fix: the account itself is refused. Callers
 * that suggest "check the bind DN and password" (the CLI's fix line) leave these out.
 */
export const BIND_ACCOUNT_CODES: readonly ErrorCode[] = [
  'BIND_USER_NOT_FOUND',
  'BIND_ACCOUNT_DISABLED',
  'BIND_ACCOUNT_EXPIRED',
  'BIND_ACCOUNT_LOCKED',
  'BIND_PASSWORD_EXPIRED',
  'BIND_PASSWORD_MUST_CHANGE',
  'BIND_TIME_RESTRICTED',
  'BIND_WORKSTATION_RESTRICTED',
];

/** True for a bind failure that the account's state explains (see {@link BIND_ACCOUNT_CODES}). */
export function isBindAccountCode(code: ErrorCode): boolean {
  return BIND_ACCOUNT_CODES.includes(code);
}
