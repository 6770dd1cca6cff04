import { describe, expect, it } from 'vitest';
import { usernameAttributeOf, validateServerDraft } from '../../src-shared/domain/validate-server';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';

function draftWith(changes: Partial<ServerDraft>): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'Corporate directory',
    url: 'ldap://dir.example.com/ou=people,dc=example,dc=com',
    bindDn: 'cn=admin,dc=example,dc=com',
    ...changes,
  };
}

function messageFor(changes: Partial<ServerDraft>, path: string): string | undefined {
  return validateServerDraft(draftWith(changes)).find((issue) => issue.path === path)?.message;
}

describe('validateServerDraft', () => {
  it('accepts a complete draft', () => {
    expect(validateServerDraft(draftWith({}))).toEqual([]);
  });

  it('reports every problem of the blank form', () => {
    const paths = validateServerDraft(emptyServerDraft()).map((issue) => issue.path);
    expect(paths).toEqual(['name', 'url', 'bindDn']);
  });

  describe('name', () => {
    it('is required after trimming', () => {
      expect(messageFor({ name: '   ' }, 'name')).toBe('Enter a name for this server');
    });

    it('is at most 200 characters', () => {
      expect(messageFor({ name: 'x'.repeat(200) }, 'name')).toBeUndefined();
      expect(messageFor({ name: 'x'.repeat(201) }, 'name')).toContain('200 characters or fewer');
    });
  });

  describe('url', () => {
    it('passes on parse messages', () => {
      expect(messageFor({ url: 'ldap:///dc=x' }, 'url')).toContain("Enter the server's host name");
      expect(messageFor({ url: 'http://dir.example.com/dc=x' }, 'url')).toContain('only ldap:// and ldaps:// are supported');
      expect(messageFor({ url: 'ldap://h:99999/dc=x' }, 'url')).toContain('Port:');
      expect(messageFor({ url: 'ldap://h/dc' }, 'url')).toContain('Search base:');
    });

    it('requires a non-empty search base', () => {
      const message = 'Add the search base after the host, e.g. ldap://dir.example.com/ou=people,dc=example,dc=com';
      expect(messageFor({ url: 'ldap://dir.example.com' }, 'url')).toBe(message);
      expect(messageFor({ url: 'ldap://dir.example.com/' }, 'url')).toBe(message);
      expect(messageFor({ url: 'ldap://dir.example.com/%20' }, 'url')).toBe(message);
    });

    it('refuses query parts and points to the Search filter field', () => {
      for (const url of ['ldap://h/dc=x?cn', 'ldap://h/dc=x??sub', 'ldap://h/dc=x???(uid=a)', 'ldap://h/dc=x????!StartTLS']) {
        expect(messageFor({ url }, 'url')).toContain('the filter goes in the Search filter field');
      }
    });
  });

  describe('startTls', () => {
    it('is refused with ldaps://', () => {
      expect(messageFor({ url: 'ldaps://h/dc=x', startTls: true }, 'startTls')).toBe('StartTLS applies to ldap:// only; ldaps:// is already encrypted');
      expect(messageFor({ url: 'LDAPS://h/dc=x', startTls: true }, 'startTls')).toBeDefined();
    });

    it('is accepted with ldap://', () => {
      expect(messageFor({ url: 'ldap://h/dc=x', startTls: true }, 'startTls')).toBeUndefined();
    });
  });

  describe('bindDn', () => {
    it('is required unless binding anonymously', () => {
      expect(messageFor({ bindDn: ' ' }, 'bindDn')).toContain('Enter the bind DN');
      expect(messageFor({ bindDn: '', bindAnonymously: true }, 'bindDn')).toBeUndefined();
    });

    it('must be a valid DN', () => {
      expect(messageFor({ bindDn: 'cn=admin,dc' }, 'bindDn')).toBe('Expected "=" after attribute type "dc" at position 11');
      expect(messageFor({ bindDn: 'admin' }, 'bindDn')).toContain('"admin" is not a DN');
    });

    it('accepts Active Directory user@REALM and DOMAIN\\user names', () => {
      expect(messageFor({ bindDn: 'svc-ldap@EXAMPLE.COM' }, 'bindDn')).toBeUndefined();
      expect(messageFor({ bindDn: 'EXAMPLE\\svc-ldap' }, 'bindDn')).toBeUndefined();
      expect(messageFor({ bindDn: 'a@b@c' }, 'bindDn')).toBeDefined();
    });
  });

  describe('searchFilter', () => {
    it('is required', () => {
      expect(messageFor({ searchFilter: '' }, 'searchFilter')).toContain('Enter a search filter');
    });

    it('reports syntax errors with their position', () => {
      expect(messageFor({ searchFilter: '(&(objectClass=person)(uid=?)' }, 'searchFilter')).toBe('Unbalanced parenthesis: missing ")" at position 29');
      expect(messageFor({ searchFilter: '(&(cn=Parens(x))(uid=?))' }, 'searchFilter')).toContain('at position 12');
    });

    it('enforces exactly one (attr=?) assertion', () => {
      expect(messageFor({ searchFilter: '(objectClass=person)' }, 'searchFilter')).toContain('needs one (attr=?) assertion');
      expect(messageFor({ searchFilter: '(|(uid=?)(mail=?))' }, 'searchFilter')).toContain('holds 2 (attr=?) assertions');
      expect(messageFor({ searchFilter: '(!(uid=?))' }, 'searchFilter')).toContain('sits inside (!...)');
    });
  });

  describe('timeoutSeconds', () => {
    it('is a whole number from 1 to 3600', () => {
      expect(messageFor({ timeoutSeconds: 1 }, 'timeoutSeconds')).toBeUndefined();
      expect(messageFor({ timeoutSeconds: 3600 }, 'timeoutSeconds')).toBeUndefined();
      for (const timeoutSeconds of [0, 3601, 1.5, Number.NaN]) {
        expect(messageFor({ timeoutSeconds }, 'timeoutSeconds')).toBe('Enter a whole number of seconds from 1 to 3600');
      }
    });
  });
});

describe('mapping and scripts', () => {
  it('the Active script is required, with the default named in the message', () => {
    const scripts = { active: ' \n ', orgName: null, roleName: null };
    expect(messageFor({ scripts }, 'scripts.active')).toBe('The Active script is required; the default is function(entry) { return true; }');
    expect(messageFor({}, 'scripts.active')).toBeUndefined();
  });

  it('mapped names must be attribute names; an empty one means not mapped', () => {
    expect(messageFor({ mapping: { email: '', firstName: 'givenName;lang-en', lastName: '2.5.4.4' } }, 'mapping.email')).toBeUndefined();
    expect(validateServerDraft(draftWith({ mapping: { email: '', firstName: 'givenName;lang-en', lastName: '2.5.4.4' } }))).toEqual([]);
    expect(messageFor({ mapping: { email: 'e mail', firstName: 'givenName', lastName: 'sn' } }, 'mapping.email')).toMatch(/^Email: "e mail" is not an attribute name/);
  });
});

describe('usernameAttributeOf', () => {
  it('returns the placeholder attribute or null', () => {
    expect(usernameAttributeOf('(&(objectClass=inetOrgPerson)(uid=?))')).toBe('uid');
    expect(usernameAttributeOf('(sAMAccountName=?)')).toBe('sAMAccountName');
    expect(usernameAttributeOf('(uid=x)')).toBeNull();
    expect(usernameAttributeOf('(uid=?')).toBeNull();
  });
});
