/**
 * Refused binds named from the server's diagnostic text in any directory (Active Directory's own
 * "data 775" sub-codes are in ad-bind-errors.ts). 389-ds answers a bind as an account with
 * nsAccountLock (or an inactivated role) with "Account inactivated. Contact system administrator."
 * and its password policy's lockout with "Exceed password retry limit"; an OpenLDAP ppolicy lockout
 * says "Account locked" only to clients that send the ppolicy control, else plain result 49.
 */
import { AppError, type ErrorCode } from '../../src-shared/errors';

/** One recognisable diagnostic: what it means and what the admin should change. */
interface BindCase {
  test: RegExp;
  code: ErrorCode;
  what: (who: string) => string;
  fix: string;
}

const BIND_CASES: readonly BindCase[] = [
  {
    test: /account inactivated/i,
    code: 'BIND_ACCOUNT_LOCKED',
    what: (who) => `The bind account ${who} is locked (inactivated) in the directory`,
    fix: '389-ds: nsAccountLock is set on the entry or on a role it has; ask the directory administrator to unlock it (dsidm INSTANCE account unlock DN). The password is not the problem.',
  },
  {
    test: /exceed password retry limit|account (is )?locked|password.*locked|locked out/i,
    code: 'BIND_ACCOUNT_LOCKED',
    what: (who) => `The bind account ${who} is locked after too many wrong passwords`,
    fix: 'Ask the directory administrator to unlock it (389-ds: passwordRetryCount / accountUnlockTime; OpenLDAP ppolicy: pwdAccountLockedTime), then make sure the password stored here is right so the next sync does not lock it again.',
  },
  {
    test: /password (has )?expired|password is expired/i,
    code: 'BIND_PASSWORD_EXPIRED',
    what: (who) => `The password of ${who} has expired`,
    fix: 'Set a new password for the account in the directory, then enter it here.',
  },
];

/**
 * The AppError for a bind refused with a diagnostic this table recognises, whatever the result
 * code (389-ds uses 53 for an inactivated account, 19 or 49 for a lockout); null otherwise.
 */
export function directoryBindError(diagnostic: string, bindDn: string): AppError | null {
  if (!diagnostic) return null;
  const known = BIND_CASES.find((c) => c.test.test(diagnostic));
  if (!known) return null;
  return new AppError(known.code, `${known.what(`"${bindDn || '(anonymous)'}"`)}. ${known.fix} Server said: "${diagnostic}".`);
}
