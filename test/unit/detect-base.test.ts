import { describe, expect, it } from 'vitest';
import { chooseBase, type RootDseFacts } from '../../src-main/ldap/detect-base';
import { NoSuchObjectError } from 'ldapts';
import { toLdapAppError } from '../../src-main/ldap/ldap-errors';
import type { LdapTarget } from '../../src-main/ldap/target';
import { urlWithBase } from '../../src-shared/domain/base-detection';

const facts = (over: Partial<RootDseFacts>): RootDseFacts => ({ namingContexts: [], supportedControl: [], supportedCapabilities: [], ...over });

describe('choosing a search base from rootDSE facts', () => {
  it('prefers defaultNamingContext and names AD LDS by its capability', () => {
    const d = chooseBase(facts({ defaultNamingContext: 'DC=corp,DC=example', namingContexts: ['CN=Configuration,DC=corp,DC=example', 'DC=corp,DC=example'], supportedCapabilities: ['1.2.840.113556.1.4.1851'] }), 'ldaps://dc1', 3269, null);
    expect(d).toMatchObject({ baseDn: 'DC=corp,DC=example', kind: 'ad-lds', from: 'defaultNamingContext', url: 'ldaps://dc1/DC=corp,DC=example' });
    expect(d.globalCatalog).toMatch(/^Port 3269 is Active Directory's Global Catalog/);
  });

  it('leaves out cn=config, cn=monitor and the configuration, schema and DNS partitions', () => {
    const d = chooseBase(
      facts({
        namingContexts: ['cn=config', 'cn=monitor', 'CN=Configuration,DC=x', 'CN=Schema,CN=Configuration,DC=x', 'DC=DomainDnsZones,DC=x', 'o=corp', 'dc=lab'],
        configurationNamingContext: 'CN=Configuration,DC=x',
      }),
      'ldap://h:389/',
      389,
      'cn=sync,o=corp',
    );
    expect(d).toMatchObject({ baseDn: 'o=corp', from: 'namingContexts', kind: 'other', url: 'ldap://h:389/o=corp', globalCatalog: null });
    expect(d.reason).toBe('The server holds 2 naming contexts; the first, o=corp, was chosen. The others: dc=lab. Pick the one that holds the people.');
  });

  it('refuses with NO_SUCH_BASE when only system contexts are listed, naming them', () => {
    expect(() => chooseBase(facts({ namingContexts: ['cn=config'] }), 'ldap://h', 389, null)).toThrow(/names no naming context that holds entries \(it lists only cn=config\)/);
  });

  it('percent-encodes what an LDAP URL must (RFC 4516) when it writes the base into the URL', () => {
    expect(urlWithBase('ldaps://DC1.example.com:636/old', 'OU=R&D?,DC=example,DC=com')).toBe('ldaps://dc1.example.com:636/OU=R&D%3F,DC=example,DC=com');
    expect(urlWithBase('not a url', 'dc=x')).toBeNull();
  });

  it('sends an admin whose base does not exist to the detection', () => {
    const t = { host: 'dc1', port: 636, baseDn: 'OU=Gone,DC=x', bindDn: 'svc@x', timeoutMs: 1000 } as LdapTarget;
    const e = toLdapAppError(new NoSuchObjectError(''), 'search', t);
    expect(e.code).toBe('NO_SUCH_BASE');
    expect(e.message).toMatch(/Detect search base in the app, or ldap-sync server detect-base\.$/);
  });
});
