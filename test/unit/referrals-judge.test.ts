/**
 * Which continuation references a sync may ignore, judged from the root DSE, on references and a
 * root DSE shaped as a Windows Active Directory domain controller returns them at its domain root
 * (a forest root domain `corp.example.com` with DNS partitions and a child domain `emea`; Samba in
 * the rig has no DNS partitions, so test/integration/ad-referrals.test.ts sees Configuration only):
 * the forest's own other partitions are harmless; anything else fails the read.
 */
import { describe, expect, it } from 'vitest';
import { referenceDn, ReferenceJudge, ReferenceTally, referralError } from '../../src-main/ldap/referrals';
import { rootDseFrom, EMPTY_ROOT_DSE } from '../../src-main/ldap/root-dse';

const WINDOWS_DSE = rootDseFrom({
  namingContexts: [
    'DC=corp,DC=example,DC=com',
    'CN=Configuration,DC=corp,DC=example,DC=com',
    'CN=Schema,CN=Configuration,DC=corp,DC=example,DC=com',
    'DC=DomainDnsZones,DC=corp,DC=example,DC=com',
    'DC=ForestDnsZones,DC=corp,DC=example,DC=com',
  ],
  supportedControl: ['1.2.840.113556.1.4.319', '1.2.840.113556.1.4.1339', '1.2.840.113556.1.4.1340'],
  defaultNamingContext: 'DC=corp,DC=example,DC=com',
  configurationNamingContext: 'CN=Configuration,DC=corp,DC=example,DC=com',
  schemaNamingContext: 'CN=Schema,CN=Configuration,DC=corp,DC=example,DC=com',
  rootDomainNamingContext: 'DC=corp,DC=example,DC=com',
});

/** The references a subtree search at DC=corp,DC=example,DC=com gets on Windows. */
const DOMAIN_ROOT_REFERENCES = [
  'ldap://ForestDnsZones.corp.example.com/DC=ForestDnsZones,DC=corp,DC=example,DC=com',
  'ldap://DomainDnsZones.corp.example.com/DC=DomainDnsZones,DC=corp,DC=example,DC=com',
  'ldap://corp.example.com/CN=Configuration,DC=corp,DC=example,DC=com',
];
const CHILD_DOMAIN = 'ldap://emea.corp.example.com/DC=emea,DC=corp,DC=example,DC=com';

describe('referenceDn', () => {
  it('takes the DN of an LDAP URL, percent-decoded, without scope or filter', () => {
    expect(referenceDn('ldap://corp.example.com/CN=Configuration,DC=corp,DC=example,DC=com')).toBe('CN=Configuration,DC=corp,DC=example,DC=com');
    expect(referenceDn('ldaps://h:636/ou=Z%C3%BCrich,dc=x??sub')).toBe('ou=Zürich,dc=x');
    expect(referenceDn('ldap://host')).toBeNull();
    expect(referenceDn('not a url')).toBeNull();
  });
});

describe('ReferenceJudge on a Windows domain root', () => {
  const judge = new ReferenceJudge(WINDOWS_DSE, 'DC=corp,DC=example,DC=com');

  it('takes Configuration, DomainDnsZones and ForestDnsZones for the forest\'s own partitions, ignoring case and spacing', () => {
    for (const url of DOMAIN_ROOT_REFERENCES) expect(judge.target(url).ownPartition).toBe(true);
    expect(judge.target('ldap://corp.example.com/cn=configuration, dc=CORP, dc=example, dc=com').ownPartition).toBe(true);
  });

  it('does not take a child domain, an entry inside a partition, or the base\'s own partition for harmless', () => {
    expect(judge.target(CHILD_DOMAIN).ownPartition).toBe(false);
    expect(judge.target('ldap://corp.example.com/CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com').ownPartition).toBe(false);
    expect(judge.target('ldap://other.example.com/DC=corp,DC=example,DC=com').ownPartition).toBe(false);
    expect(judge.target('ldap://corp.example.com/').ownPartition).toBe(false);
  });

  it('takes nothing for harmless when the root DSE could not be read', () => {
    const blind = new ReferenceJudge(EMPTY_ROOT_DSE, 'DC=corp,DC=example,DC=com');
    expect(blind.target(DOMAIN_ROOT_REFERENCES[2]).ownPartition).toBe(false);
  });
});

describe('ReferenceTally and its report', () => {
  it('reports the domain root\'s references as ignored, counting repeats, and names the control', () => {
    const tally = new ReferenceTally(new ReferenceJudge(WINDOWS_DSE, 'DC=corp,DC=example,DC=com'));
    expect(tally.report()).toBeNull();
    expect(tally.add(DOMAIN_ROOT_REFERENCES)).toEqual([]);
    expect(tally.add([DOMAIN_ROOT_REFERENCES[0]])).toEqual([]);
    const r = tally.report()!;
    expect(r).toMatchObject({ count: 4, failsSync: false, domainScope: true });
    expect(r.targets).toHaveLength(3);
    expect(r.message).toBe(
      'The search returned 4 continuation references (referrals to other partitions or servers, never followed). ' +
        "Ignored as the forest's own other partitions, which hold no users of this domain: DC=ForestDnsZones,DC=corp,DC=example,DC=com; DC=DomainDnsZones,DC=corp,DC=example,DC=com; CN=Configuration,DC=corp,DC=example,DC=com. " +
        'Syncs ask the directory not to send these (the domain-scope control it supports).',
    );
  });

  it('returns the child domain as foreign, and the report says a sync would fail and how to fix it', () => {
    const tally = new ReferenceTally(new ReferenceJudge(WINDOWS_DSE, 'DC=corp,DC=example,DC=com'));
    expect(tally.add([...DOMAIN_ROOT_REFERENCES, CHILD_DOMAIN])).toEqual([CHILD_DOMAIN]);
    const r = tally.report()!;
    expect(r.failsSync).toBe(true);
    expect(r.message).toContain('Not the forest\'s own partitions, so a sync would fail rather than miss the entries they hold: DC=emea,DC=corp,DC=example,DC=com.');
    expect(r.message).toContain('use the Global Catalog (port 3268, or 3269 with TLS)');
  });

  it('gives a REFERRAL error naming the URL and saying nothing was changed', () => {
    const e = referralError([CHILD_DOMAIN, CHILD_DOMAIN]);
    expect(e.code).toBe('REFERRAL');
    expect(e.message).toMatch(/^The directory returned 1 referral to entries it does not hold \(ldap:\/\/emea\.corp\.example\.com\/DC=emea,DC=corp,DC=example,DC=com\), so some entries were not read\. Nothing was changed\./);
  });
});
