/**
 * Active Directory's bind diagnostics, decoded. A refused simple bind comes back as result 49
 * (invalidCredentials) for every reason; only the diagnostic text says which, as a Win32 error in
 * hex after "data", e.g. `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error,
 * data 533, v4563` (Windows appends a NUL). Samba AD writes the same shape.
 */
import { AppError, type ErrorCode } from '../../src-shared/errors';

/** One AD bind sub-code: what it means and what the admin should change. */
interface AdBindCase {
  code: ErrorCode;
  /** What happened, in AD's words, with the account in `who`. */
  what: (who: string) => string;
  /** The fix. */
  fix: string;
}

/** The sub-codes AD documents for a refused LDAP bind, keyed by their hex text (lower case). */
const AD_BIND_CASES: Readonly<Record<string, AdBindCase>> = {
  '525': {
    code: 'BIND_USER_NOT_FOUND',
    what: (who) => `Active Directory has no account ${who} (user not found)`,
    fix: 'Check the Bind DN: the account\'s DN, its user principal name (svc-sync@example.com) or DOMAIN\\name.',
  },
  '52e': {
    code: 'INVALID_CREDENTIALS',
    what: (who) => `Wrong password for ${who} (invalid credentials)`,
    fix: 'Enter the bind password again (it may have been changed in Active Directory). Some domain controllers answer this for an unknown account too: check the Bind DN if the password is right.',
  },
  '530': {
    code: 'BIND_TIME_RESTRICTED',
    what: (who) => `${who} is not allowed to sign in at this time (logon hours)`,
    fix: 'Ask the AD administrator to allow the account at all hours (Logon Hours on its Account tab): syncs run on a schedule.',
  },
  '531': {
    code: 'BIND_WORKSTATION_RESTRICTED',
    what: (who) => `${who} is not allowed to sign in from this workstation`,
    fix: 'Ask the AD administrator to clear the account\'s "Log On To" list (userWorkstations), or add the computer this app runs on.',
  },
  '532': {
    code: 'BIND_PASSWORD_EXPIRED',
    what: (who) => `The password of ${who} has expired`,
    fix: 'Set a new password for the account in Active Directory (a service account is usually set to "Password never expires"), then enter it here.',
  },
  '533': {
    code: 'BIND_ACCOUNT_DISABLED',
    what: (who) => `The bind account ${who} is disabled in Active Directory (account disabled)`,
    fix: 'Ask the AD administrator to enable the account, or bind as another account. The password is not the problem.',
  },
  '701': {
    code: 'BIND_ACCOUNT_EXPIRED',
    what: (who) => `The bind account ${who} has expired (account expired)`,
    fix: 'Ask the AD administrator to extend or clear the account\'s expiry date (accountExpires, "Account expires" on its Account tab).',
  },
  '773': {
    code: 'BIND_PASSWORD_MUST_CHANGE',
    what: (who) => `${who} must change its password before it can sign in (must change password)`,
    fix: 'Set a new password for the account in Active Directory with "User must change password at next logon" cleared, then enter it here.',
  },
  '775': {
    code: 'BIND_ACCOUNT_LOCKED',
    what: (who) => `The bind account ${who} is locked out (too many wrong passwords)`,
    fix: 'Ask the AD administrator to unlock it, then make sure the password stored here is right so the next sync does not lock it again.',
  },
};

/** The AD sub-codes this module names, as they appear after "data" (lower-case hex). */
export const AD_BIND_SUBCODES: readonly string[] = Object.keys(AD_BIND_CASES);

/**
 * The server's diagnostic text from an ldapts error message: ldapts appends " Code: 0x31" and AD a
 * NUL; both are cut. Empty when the server sent none.
 */
export function serverDiagnostic(message: string): string {
  return message
    .replace(/\s*Code: 0x[0-9a-f]+\s*$/i, '')
    .replace(/\0/g, '')
    .split('\n')[0]
    .trim()
    .slice(0, 300);
}

/** The sub-code of an AD `AcceptSecurityContext error, data XXX` diagnostic (lower-case hex), or null. */
export function adBindSubcode(diagnostic: string): string | null {
  const m = /AcceptSecurityContext error, data ([0-9a-f]+)\b/i.exec(diagnostic);
  return m ? m[1].toLowerCase() : null;
}

/**
 * The AppError for a bind refused with an AD diagnostic: named from the sub-code, with its fix and
 * the server's own text. Null when the diagnostic is not AD's. A sub-code this module does not name
 * still says it came from AD and quotes the text.
 */
export function adBindError(diagnostic: string, bindDn: string): AppError | null {
  const sub = adBindSubcode(diagnostic);
  if (!sub) return null;
  const who = `"${bindDn || '(anonymous)'}"`;
  const said = `Server said: "${diagnostic}".`;
  const known = AD_BIND_CASES[sub];
  if (!known) {
    return new AppError('INVALID_CREDENTIALS', `Active Directory refused the bind as ${who} with sub-code ${sub} (data ${sub}). Check the bind DN and password, and the account's state in Active Directory (enabled, not locked, password not expired). ${said}`);
  }
  return new AppError(known.code, `${known.what(who)}: Active Directory data ${sub}. ${known.fix} ${said}`);
}
