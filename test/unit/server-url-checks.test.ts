/**
 * How the RFC 4516 URL checks reach the admin: under the URL field of the server form
 * (validateServerDraft) and as a `servers[i].url` problem of `config apply` (parseConfig).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig, type ParseOutcome } from '../../src-main/config/parse-config';
import { emptyServerDraft } from '../../src-shared/domain/server';
import { validateServerDraft } from '../../src-shared/domain/validate-server';

const REMOVE_QUERY = 'Remove the "?..." part after the search base: the filter goes in the Search filter field, and attributes, scope and extensions are not used';

function urlIssue(url: string): string | undefined {
  const draft = { ...emptyServerDraft(), name: 'Corp', url, bindDn: 'cn=sync,dc=example,dc=com' };
  return validateServerDraft(draft).find((issue) => issue.path === 'url')?.message;
}

function configIssues(url: string): Record<string, string> {
  const doc = { servers: [{ name: 'Corp', url, bindDn: 'cn=sync,dc=example,dc=com', searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))' }] };
  const outcome: ParseOutcome = parseConfig(JSON.stringify(doc), { baseDir: '/nonexistent' });
  return outcome.ok ? {} : Object.fromEntries(outcome.issues.map((i) => [i.path, i.message]));
}

describe('the server URL field', () => {
  it('accepts a host name with the trailing dot of a fully qualified name', () => {
    expect(urlIssue('ldaps://dc1.corp.example.com./DC=corp,DC=example,DC=com')).toBeUndefined();
    expect(urlIssue('ldap://dc1.corp.example.com.:389/DC=corp,DC=example,DC=com')).toBeUndefined();
  });

  it('says to remove an empty extension list, which it accepted before', () => {
    expect(urlIssue('ldap://h/dc=x????')).toBe(
      `${REMOVE_QUERY} (Extensions: nothing follows the "?" at position 16: remove that "?", or write an extension after it such as !StartTLS)`,
    );
  });

  it('says to remove a query part that does not parse, since a server never uses it', () => {
    expect(urlIssue('ldap://h/dc=x????1e=v')).toMatch(/^Remove the "\?\.\.\." part after the search base: .* \(Extensions: "1e" at position 17 is not an extension type: /);
    expect(urlIssue('ldap://h/dc=x???(cn=a')).toMatch(/^Remove the "\?\.\.\." part .* \(Filter: /);
  });

  it('passes on problems of the host, port and search base as they are', () => {
    expect(urlIssue('ldap://dc1..corp/dc=x')).toBe('Host: "dc1..corp" at position 7 is not a valid host name or IPv4 address');
    expect(urlIssue('ldap://h/dc')).toMatch(/^Search base: /);
  });
});

describe('config apply', () => {
  it('reports the same URL problems under servers[i].url', () => {
    expect(configIssues('ldap://h/dc=x????')).toEqual({ 'servers[0].url': expect.stringContaining('(Extensions: nothing follows the "?" at position 16') });
    expect(configIssues('ldap://h/dc=x????x_y')).toEqual({ 'servers[0].url': expect.stringContaining('"x_y" at position 17 is not an extension type') });
  });

  it('accepts a host name with a trailing dot', () => {
    expect(configIssues('ldaps://dc1.corp.example.com./DC=corp,DC=example,DC=com')).toEqual({});
  });
});
