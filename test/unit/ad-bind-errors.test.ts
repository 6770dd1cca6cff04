import { describe, expect, it } from 'vitest';
import { BindResponse, StatusCodeParser } from 'ldapts';
import { adBindSubcode, serverDiagnostic } from '../../src-main/ldap/ad-bind-errors';
import { toLdapAppError } from '../../src-main/ldap/ldap-errors';
import type { LdapTarget } from '../../src-main/ldap/target';
import { isBindAccountCode } from '../../src-shared/domain/bind-errors';
import type { AppError } from '../../src-shared/errors';
import { fixFor } from '../../src-main/cli/format-sync';

const target: LdapTarget = {
  scheme: 'ldaps',
  host: 'dc1.example.com',
  port: 636,
  baseDn: 'DC=example,DC=com',
  startTls: false,
  bindAnonymously: false,
  bindDn: 'svc-sync@example.com',
  searchFilter: '(&(objectClass=user)(sAMAccountName=?))',
  usernameAttribute: 'sAMAccountName',
  timeoutMs: 5000,
  trusted: [],
};

/** The error ldapts raises for a bind response carrying this result code and diagnostic (its own parser). */
function bindRefusal(diagnostic: string, status = 49): AppError {
  const response = new BindResponse({ messageId: 1, status, errorMessage: diagnostic });
  return toLdapAppError(StatusCodeParser.parse(response), 'bind', target);
}

// Diagnostics as Windows Server domain controllers write them (DSID and version vary by release;
// Windows ends the text with a NUL), and as Samba AD 4.17 writes them.
const windows = (data: string) => `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563\u0000`;
const windows2008 = (data: string) => `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;

const CASES: Array<[string, string, RegExp]> = [
  ['525', 'BIND_USER_NOT_FOUND', /no account "svc-sync@example\.com" \(user not found\)/],
  ['52e', 'INVALID_CREDENTIALS', /Wrong password for "svc-sync@example\.com"/],
  ['530', 'BIND_TIME_RESTRICTED', /not allowed to sign in at this time/],
  ['531', 'BIND_WORKSTATION_RESTRICTED', /not allowed to sign in from this workstation/],
  ['532', 'BIND_PASSWORD_EXPIRED', /password of "svc-sync@example\.com" has expired/],
  ['533', 'BIND_ACCOUNT_DISABLED', /is disabled in Active Directory/],
  ['701', 'BIND_ACCOUNT_EXPIRED', /has expired \(account expired\)/],
  ['773', 'BIND_PASSWORD_MUST_CHANGE', /must change its password/],
  ['775', 'BIND_ACCOUNT_LOCKED', /is locked out/],
];

describe('Active Directory bind failures', () => {
  it.each(CASES)('names sub-code %s as %s, with its fix and the server\'s own text', (data, code, meaning) => {
    const e = bindRefusal(windows(data));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(meaning);
    expect(e.message).toContain(`Active Directory data ${data}`);
    expect(e.message).toContain(`Server said: "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563".`);
  });

  it('gives every named sub-code its own error code', () => {
    const codes = CASES.map(([data]) => bindRefusal(windows(data)).code);
    expect(new Set(codes).size).toBe(CASES.length);
  });

  it('reads the older Windows format and upper-case hex the same way', () => {
    expect(bindRefusal(windows2008('775')).code).toBe('BIND_ACCOUNT_LOCKED');
    expect(bindRefusal(windows2008('52E')).code).toBe('INVALID_CREDENTIALS');
  });

  it('does not send the admin to the password for a disabled, expired or locked account', () => {
    for (const data of ['533', '701', '775', '530', '531']) {
      const e = bindRefusal(windows(data));
      expect(e.message).not.toMatch(/check the bind DN and password/i);
      expect(isBindAccountCode(e.code)).toBe(true);
      expect(fixFor(e.code, 'Corp AD')).toMatch(/bind account in the directory; then: ldap-sync server test 'Corp AD'/);
    }
    expect(bindRefusal(windows('533')).message).toMatch(/The password is not the problem/);
  });

  it('keeps the wrong-password advice for a wrong password', () => {
    const e = bindRefusal(windows('52e'));
    expect(isBindAccountCode(e.code)).toBe(false);
    expect(e.message).toMatch(/Enter the bind password again/);
    expect(fixFor(e.code, 'corp')).toMatch(/check the bind DN and password/);
  });

  it('quotes an AD sub-code it does not name, and says where to look', () => {
    const e = bindRefusal(windows('52f'));
    expect(e.code).toBe('INVALID_CREDENTIALS');
    expect(e.message).toMatch(/sub-code 52f/);
    expect(e.message).toContain('data 52f, v4563"');
  });

  it('leaves a directory without AD diagnostics (OpenLDAP) with the plain message', () => {
    const e = bindRefusal('');
    expect(e.code).toBe('INVALID_CREDENTIALS');
    expect(e.message).toBe('Invalid credentials: the directory rejected the bind as "svc-sync@example.com". Check the bind DN and password. Under a password policy the account may also be locked after wrong passwords (OpenLDAP ppolicy: pwdAccountLockedTime; 389-ds: passwordRetryCount).');
  });

  it('cuts ldapts\'s "Code: 0x31" suffix and the NUL from the server text', () => {
    expect(serverDiagnostic(`${windows('775')} Code: 0x31`)).toBe('80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563');
    expect(serverDiagnostic(' Code: 0x31')).toBe('');
    expect(adBindSubcode('comment: AcceptSecurityContext error, data 701, v1db1')).toBe('701');
    expect(adBindSubcode('invalid credentials')).toBeNull();
  });

  it('quotes other results\' diagnostics without ldapts\'s suffix', () => {
    const e = bindRefusal('00002028: LdapErr: DSID-0C090259, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v4563', 8);
    expect(e.code).toBe('BIND_FAILED');
    expect(e.message).toMatch(/requires an encrypted connection for this bind \(server said: 00002028: .*v4563\)\. Use ldaps:\/\//);
  });
});
