import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BindResponse, StatusCodeParser } from 'ldapts';
import { toLdapAppError, type LdapPhase } from '../../src-main/ldap/ldap-errors';
import { directoryKind } from '../../src-main/ldap/directory-kind';
import { rootDseFrom } from '../../src-main/ldap/root-dse';
import { ldapsearchCommand } from '../../src-main/ldap/ldapsearch-command';
import { writeTrustedCaFile } from '../../src-main/ldap/ca-file';
import { targetFromDraft, type LdapTarget } from '../../src-main/ldap/target';
import type { DirectoryKind } from '../../src-main/ldap/directory-kind';
import { emptyServerDraft } from '../../src-shared/domain/server';
import { validateServerDraft } from '../../src-shared/domain/validate-server';
import type { AppError } from '../../src-shared/errors';

const target: LdapTarget = {
  scheme: 'ldaps',
  host: '127.0.0.1',
  port: 636,
  baseDn: 'ou=people,dc=example,dc=com',
  startTls: false,
  bindAnonymously: false,
  bindDn: 'uid=sync,ou=service,dc=example,dc=com',
  searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
  usernameAttribute: 'uid',
  timeoutMs: 5000,
  trusted: [],
};

/** The error ldapts raises for a response with this result code and diagnostic (its own parser). */
function refusal(status: number, diagnostic: string, phase: LdapPhase, kind: DirectoryKind = null): AppError {
  const response = new BindResponse({ messageId: 1, status, errorMessage: diagnostic });
  return toLdapAppError(StatusCodeParser.parse(response), phase, target, kind);
}

describe('limits named per directory', () => {
  it('names the size-limit settings of OpenLDAP, Active Directory and 389-ds when the directory is unknown', () => {
    const e = refusal(4, '', 'search');
    expect(e.code).toBe('SIZE_LIMIT');
    expect(e.message).toContain('size limit exceeded for "uid=sync,ou=service,dc=example,dc=com"');
    for (const setting of ['olcSizeLimit', 'MaxPageSize', 'nsSizeLimit', 'nsPagedSizeLimit', 'nsslapd-sizelimit']) expect(e.message).toContain(setting);
    expect(e.message).toMatch(/smaller Directory page size/);
  });

  it('names only 389-ds settings when the root DSE says 389-ds, and says the limit applies per page', () => {
    const e = refusal(4, '', 'search', '389-ds');
    expect(e.message).toContain('(389 Directory Server)');
    expect(e.message).toContain('nsSizeLimit and nsPagedSizeLimit on the bind entry, or nsslapd-sizelimit');
    expect(e.message).toContain('applied per page');
    expect(e.message).not.toContain('olcSizeLimit');
    expect(e.message).not.toContain('MaxPageSize');
  });

  it('names only OpenLDAP settings for OpenLDAP, without suggesting a smaller page', () => {
    const e = refusal(4, '', 'search', 'openldap');
    expect(e.message).toContain('(OpenLDAP)');
    expect(e.message).toContain('olcSizeLimit');
    expect(e.message).not.toContain('nsslapd');
    expect(e.message).not.toMatch(/smaller Directory page size/);
  });

  it('names the look-through and ID-list scan limits for "administrative limit exceeded" (389-ds)', () => {
    const e = refusal(11, '', 'search', '389-ds');
    expect(e.code).toBe('SIZE_LIMIT');
    expect(e.message).toContain('administrative limit exceeded');
    for (const setting of ['nsLookThroughLimit', 'nsslapd-lookthroughlimit', 'nsslapd-idlistscanlimit']) expect(e.message).toContain(setting);
    expect(e.message).not.toContain('Code: 0x');
  });

  it('keeps the server\'s own words for an administrative limit of an unknown directory', () => {
    const e = refusal(11, 'unchecked limit exceeded', 'search');
    expect(e.message).toContain('(server said: unchecked limit exceeded)');
    for (const setting of ['size.unchecked', 'MaxResultSetSize', 'nsLookThroughLimit']) expect(e.message).toContain(setting);
  });
});

describe('which directory answers, from its root DSE', () => {
  it('tells 389-ds by its vendor, Active Directory by its capability, OpenLDAP by its root DSE class', () => {
    expect(directoryKind(rootDseFrom({ vendorName: '389 Project', vendorVersion: '389-Directory/2.3.4 B2024.001.0000' }))).toBe('389-ds');
    expect(directoryKind(rootDseFrom({ supportedCapabilities: ['1.2.840.113556.1.4.800', '1.2.840.113556.1.4.1670'] }))).toBe('active-directory');
    expect(directoryKind(rootDseFrom({ objectClass: ['top', 'OpenLDAProotDSE'] }))).toBe('openldap');
    expect(directoryKind(rootDseFrom({ namingContexts: 'dc=example,dc=com' }))).toBeNull();
  });
});

describe('a locked bind account points at the lock, not the password', () => {
  it('389-ds nsAccountLock: "Account inactivated" (result 53) is a locked account', () => {
    const e = refusal(53, 'Account inactivated. Contact system administrator.', 'bind');
    expect(e.code).toBe('BIND_ACCOUNT_LOCKED');
    expect(e.message).toContain('"uid=sync,ou=service,dc=example,dc=com" is locked (inactivated)');
    expect(e.message).toContain('nsAccountLock');
    expect(e.message).toContain('The password is not the problem');
    expect(e.message).toContain('Server said: "Account inactivated. Contact system administrator."');
  });

  it('389-ds password-policy lockout and an "Account locked" diagnostic are locked accounts too', () => {
    expect(refusal(19, 'Exceed password retry limit. Please try later.', 'bind').code).toBe('BIND_ACCOUNT_LOCKED');
    expect(refusal(49, 'Account locked', 'bind').code).toBe('BIND_ACCOUNT_LOCKED');
  });

  it('leaves the same words alone outside the bind', () => {
    expect(refusal(53, 'Account inactivated. Contact system administrator.', 'search').code).not.toBe('BIND_ACCOUNT_LOCKED');
  });
});

describe('the page size setting', () => {
  const draft = (pageSize: number | undefined) => ({ ...emptyServerDraft(), name: 'DS', url: 'ldap://127.0.0.1:389/dc=example,dc=com', bindDn: 'cn=x,dc=example,dc=com', pageSize });

  it('defaults to 1000 and accepts 10 to 5000 entries', () => {
    expect(emptyServerDraft().pageSize).toBe(1000);
    expect(targetFromDraft(draft(undefined)).pageSize).toBe(1000);
    expect(targetFromDraft(draft(200)).pageSize).toBe(200);
    expect(validateServerDraft(draft(10))).toEqual([]);
    expect(validateServerDraft(draft(5000))).toEqual([]);
    for (const bad of [9, 5001, 12.5]) {
      expect(validateServerDraft(draft(bad))).toEqual([{ path: 'pageSize', message: 'Enter a page size from 10 to 5000 entries (default 1000)' }]);
    }
  });

  it('is the page size of the doctor\'s ldapsearch line', () => {
    expect(ldapsearchCommand({ ...target, scheme: 'ldap', pageSize: 200 })).toContain('-E pr=200/noprompt');
    expect(ldapsearchCommand({ ...target, scheme: 'ldap' })).toContain('-E pr=1000/noprompt');
  });
});

describe('the ldapsearch line names the trusted certificates', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lss-ca-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';

  it('writes them to a private file named by their content, the same file each time', async () => {
    const folder = path.join(dir, 'ca');
    const file = writeTrustedCaFile([{ pem }], folder)!;
    expect(path.dirname(file)).toBe(folder);
    expect(await readFile(file, 'utf8')).toBe(`${pem}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect(writeTrustedCaFile([{ pem }], folder)).toBe(file);
    expect(writeTrustedCaFile([], folder)).toBeNull();
  });

  it('starts the line with LDAPTLS_CACERT over ldaps:// and StartTLS, not over plain ldap://', () => {
    expect(ldapsearchCommand(target, '/tmp/x/ca.pem')).toMatch(/^LDAPTLS_CACERT='\/tmp\/x\/ca\.pem' ldapsearch -x -H 'ldaps:\/\/127\.0\.0\.1:636' /);
    expect(ldapsearchCommand({ ...target, scheme: 'ldap', startTls: true }, '/tmp/x/ca.pem')).toMatch(/^LDAPTLS_CACERT='\/tmp\/x\/ca\.pem' ldapsearch .* -ZZ /);
    expect(ldapsearchCommand({ ...target, scheme: 'ldap', trusted: [{ pem } as LdapTarget['trusted'][number]] })).toMatch(/^ldapsearch /);
    expect(ldapsearchCommand(target)).toMatch(/^ldapsearch /); // nothing trusted in the app: the system's CAs
  });
});
