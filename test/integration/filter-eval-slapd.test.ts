/**
 * The offline filter evaluator against a real slapd: the same filters, run by slapd over the
 * rig's directory and by `compileFilter` over every entry fetched from it, must select the same
 * DNs. Hand-picked filters cover each rule; a seeded generator builds a few hundred more from the
 * data (case changes, extra spaces, decomposed accents, substrings cut anywhere, ordering around
 * values, invalid values, nested &, |, !).
 */
import { Client, type Entry } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLdaptsFilter } from '../../src-main/ldap/ldapts-filter';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../../src-main/directory/binary-attributes';
import { toEntryInput } from '../../src-main/preview/entry-values';
import { compileFilter, type FilterEntry } from '../../src-main/snapshots/filter-eval';
import { escapeFilterValue } from '../../src-shared/ldap/filter';
import { startSlapd, type Slapd } from '../rig/slapd';

const EVAL_DN = 'ou=eval,dc=example,dc=com';

/** Entries added for rules the generated users do not exercise (integers, phones, DNs, spaces, Unicode, options). */
const ADDED: [string, Record<string, string | string[]>][] = [
  [EVAL_DN, { objectClass: 'organizationalUnit', ou: 'eval', description: 'Evaluation   entries' }],
  [`uid=px1,${EVAL_DN}`, {
    objectClass: ['inetOrgPerson', 'posixAccount', 'shadowAccount'], uid: 'px1', cn: ['Px One', '  Spaced   Out  Name '], 'cn;lang-de': 'Px Eins',
    sn: 'One', givenName: 'Px', uidNumber: '1000', gidNumber: '100', homeDirectory: '/home/px1', loginShell: '/bin/bash',
    telephoneNumber: '+1 555-0100 x', employeeNumber: '0042', description: 'Hello   World', title: 'Dr.', shadowExpire: '19000',
    mail: 'PX1@Example.COM', employeeType: 'staff', departmentNumber: 'D 105',
  }],
  [`uid=px2,${EVAL_DN}`, {
    objectClass: ['inetOrgPerson', 'posixAccount'], uid: ['px2', 'PX-Two'], cn: ['Mu\u0308ller Decomposed', 'ΟΔΟΣ Name'], sn: 'Straße',
    uidNumber: '20000', gidNumber: '-5', homeDirectory: '/HOME/px2', telephoneNumber: ['+15550101', '030 1234-5678'], employeeNumber: '42',
    description: ['ΟΔΟΣ street', 'Çà et là'], mail: 'px2@example.com', employeeType: 'Contractor', manager: `uid=px1,${EVAL_DN}`,
  }],
  [`uid=px3,${EVAL_DN}`, {
    objectClass: ['inetOrgPerson', 'posixAccount'], uid: 'px3', cn: 'ÉLODIE ÉCOLE', sn: 'École', givenName: 'Élodie', uidNumber: '999', gidNumber: '0',
    homeDirectory: '/home/px3', telephoneNumber: '0049 (30) 1234-5678', mail: 'Px3@Example.ORG', departmentNumber: 'D105', title: 'Dr. med.',
    'title;lang-fr': 'Docteur', employeeNumber: '7', manager: `UID=PX1, OU=Eval,DC=Example,DC=Com`,
  }],
  [`cn=grp,${EVAL_DN}`, {
    objectClass: 'groupOfNames', cn: 'grp', member: [`uid=px1,${EVAL_DN}`, 'UID=PX2, OU=Eval,DC=Example,DC=Com', 'uid=user00001,ou=people,dc=example,dc=com'],
    owner: `uid=px3,${EVAL_DN}`, description: 'A group',
  }],
  [`cn=pg,${EVAL_DN}`, { objectClass: 'posixGroup', cn: 'pg', gidNumber: '100', memberUid: ['px1', 'PX2'] }],
  [`cn=device one,${EVAL_DN}`, { objectClass: ['device', 'ieee802Device'], cn: 'device one', serialNumber: 'SN-1', macAddress: '00:11:22:33:44:55' }],
];

let slapd: Slapd;
let client: Client;
let entries: FilterEntry[];

async function searchDns(filter: string): Promise<string[]> {
  const { searchEntries } = await client.search(slapd.suffix, { scope: 'sub', filter: toLdaptsFilter(filter), attributes: ['1.1'] });
  return searchEntries.map((e) => e.dn.toLowerCase()).sort();
}

function localDns(filter: string): string[] {
  // strictSchema: names outside slapd's schema are Undefined there too.
  const compiled = compileFilter(filter, { strictSchema: true });
  if (!compiled.ok) throw new Error(`${filter}: ${compiled.message}`);
  return entries.filter((e) => compiled.test(e)).map((e) => e.dn.toLowerCase()).sort();
}

beforeAll(async () => {
  slapd = await startSlapd({ users: 300, extras: true, logOps: false });
  client = new Client({ url: slapd.url });
  await client.bind(slapd.rootDn, slapd.rootPw);
  for (const [dn, attributes] of ADDED) await client.add(dn, attributes);
  const { searchEntries } = await client.search(slapd.suffix, {
    scope: 'sub', filter: toLdaptsFilter('(objectClass=*)'), attributes: ['*', '+'], explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES],
  });
  entries = searchEntries.map((e: Entry) => toEntryInput(e));
});
afterAll(async () => {
  await client?.unbind();
  await slapd?.stop();
});

/** Filters whose slapd result was neither empty nor every entry (set by {@link disagreements}). */
let selective = 0;

/** Compares slapd and the evaluator on each filter; returns the disagreements (empty when all agree). */
async function disagreements(filters: string[]): Promise<string[]> {
  const out: string[] = [];
  selective = 0;
  for (const filter of filters) {
    const [server, local] = [await searchDns(filter), localDns(filter)];
    if (server.length > 0 && server.length < entries.length) selective++;
    if (server.join('|') === local.join('|')) continue;
    const onlyServer = server.filter((d) => !local.includes(d));
    const onlyLocal = local.filter((d) => !server.includes(d));
    out.push(`${filter}: slapd only ${JSON.stringify(onlyServer.slice(0, 3))} (${onlyServer.length}), local only ${JSON.stringify(onlyLocal.slice(0, 3))} (${onlyLocal.length})`);
  }
  return out;
}

const FIXED = [
  // Equality, case and spaces.
  '(uid=USER00007)', '(cn=  hugo   kowalski   7 )', '(cn=spaced out name)', '(cn=)', '(!(cn=))', '(mail=)', '(!(mail=))',
  '(mail=  USER00001@EXAMPLE.com )', '(mail=ü@example.com)', '(!(mail=ü@example.com))', '(sn=müller)', '(sn=MU\\cc\\88LLER)', '(cn=müller decomposed)',
  '(sn=strasse)', '(sn=STRASSE)', '(sn=straße)', '(cn=οδοσ name)', '(description=οδος street)', '(description=ÇÀ ET LÀ)', '(cn=élodie école)',
  '(uid=px-two)', '(employeeNumber=42)', '(employeeNumber=0042)', '(departmentNumber=d 105)', '(departmentNumber=d105)', '(title=dr.)',
  // Attribute hierarchy, aliases, OIDs, options.
  '(name=px)', '(name=one)', '(commonName=px one)', '(2.5.4.3=px one)', '(cn;lang-de=px eins)', '(cn;lang-de=px one)', '(cn=px eins)',
  '(title;lang-fr=*)', '(title=docteur)', '(cn;x-none=*)', '(!(cn;x-none=*))', '(surname=one)', '(userid=px1)', '(rfc822Mailbox=px2@example.com)',
  // objectClass.
  '(objectClass=inetOrgPerson )', '(!(objectClass=inetOrgPerson ))', '(objectClass=*)', '(objectClass=top)', '(objectClass=person)', '(objectClass=organizationalPerson)', '(objectClass=INETORGPERSON)',
  '(objectClass=2.5.6.6)', '(objectClass=2.16.840.1.113730.3.2.2)', '(objectClass=posixAccount)', '(objectClass=shadowAccount)', '(objectClass=dcObject)',
  '(objectClass=organization)', '(objectClass=groupOfNames)', '(objectClass=device)', '(objectClass=simpleSecurityObject)', '(!(objectClass=person))',
  '(objectClass=per*)', '(!(objectClass=per*))', '(objectClass>=a)', '(!(objectClass>=a))', '(objectClass~=person)', '(structuralObjectClass=inetOrgPerson)',
  // Integers.
  '(uidNumber>=1000)', '(uidNumber<=999)', '(uidNumber>=-1)', '(gidNumber<=-1)', '(gidNumber>=0)', '(gidNumber<=0)', '(uidNumber=01000)', '(!(uidNumber=01000))',
  '(uidNumber=1000)', '(uidNumber>=x)', '(!(uidNumber>=x))', '(uidNumber=1*)', '(!(uidNumber=1*))', '(shadowExpire=19000)', '(!(shadowExpire>=1))',
  '(uidNumber>=19999)', '(uidNumber<=20000)', '(uidNumber>=200000)', '(gidNumber=-5)', '(gidNumber=-0)',
  // Strings without ORDERING: Undefined.
  '(cn>=a)', '(!(cn>=a))', '(uid<=z)', '(!(uid<=z))', '(!(mail>=a))', '(!(employeeNumber>=1))',
  // Telephone numbers.
  '(telephoneNumber=-)', '(!(telephoneNumber=-))', '(telephoneNumber=+1*-*)', '(!(telephoneNumber=+1*-*))', '(!(telephoneNumber=*#*))', '(telephoneNumber=+15550100x)', '(telephoneNumber=+1 555 0100 X)', '(telephoneNumber=+1-555-0101)', '(telephoneNumber=*555 01*)', '(telephoneNumber=*-*)',
  '(!(telephoneNumber=*-*))', '(telephoneNumber=0049\\28 30\\29*)', '(telephoneNumber=*5678)', '(telephoneNumber=03012345678)', '(telephoneNumber>=1)',
  // IA5.
  '(homeDirectory=/home/px1)', '(homeDirectory=/HOME/PX1)', '(homeDirectory=/HOME/px2)', '(mail=*@EXAMPLE.ORG)', '(mail=* px*)', '(mail=px* )',
  '(memberUid=px2)', '(memberUid=PX2)', '(memberUid=P*)', '(macAddress=00:11:22:33:44:55)', '(loginShell=/bin/*)', '(!(loginShell=/bin/*))',
  // DNs.
  `(member=uid=px1,${EVAL_DN})`, '(member=UID=PX1, OU=EVAL, DC=EXAMPLE, DC=COM)', '(member=uid=px2,ou=eval,dc=example,dc=com)',
  '(member=uid=user00001,ou=people,dc=example,dc=com)', '(member=cn=nobody)', '(member=not a dn)', '(!(member=not a dn))', '(member=*)', '(member=uid=*)',
  '(!(member=uid=*))', `(manager=uid=px1,${EVAL_DN})`, '(owner=uid=px3,ou=eval,dc=example,dc=com)', '(distinguishedName=uid=px1,ou=eval,dc=example,dc=com)',
  '(seeAlso=*)', `(creatorsName=${'cn=admin,dc=example,dc=com'})`, '(entryDN=uid=px1,ou=eval,dc=example,dc=com)',
  // Substrings and spaces (slapd keeps one space where pieces touch).
  '(cn=*hugo * smith*)', '(cn=*hugo  smith*)', '(cn=hugo * smith 18)', '(cn=hugo *smith 18)', '(cn=hugo* smith 18)', '(cn=*  smith 18)',
  '(cn=hugo smith 18 *)', '(cn=* hugo smith 18)', '(cn=*18 )', '(cn=*8 *)', '(cn=* *)', '(cn=*  *)', '(cn=*spaced*out*)', '(cn=* spaced *)',
  '(description=hello*world)', '(description=*o w*)', '(cn=*ü*)', '(cn=*u\\cc\\88*)', '(sn=*ß*)', '(cn=é*)', '(cn=*\\c3\\a9cole)',
  '(uid=user0000*)', '(uid=*1)', '(uid=u*r*0*1)', '(uid=user00001*1)', '(cn=*a*a*)', '(employeeType=*TRACT*)', '(departmentNumber=d1*5)',
  // Timestamps.
  '(createTimestamp>=20000101000000Z)', '(createTimestamp<=20000101000000Z)', '(createTimestamp>=2000010100Z)', '(createTimestamp>=200001010000Z)',
  '(createTimestamp<=20991231235959.999Z)', '(createTimestamp>=20991231235959+2359)', '(createTimestamp>=20000101000000.5-0130)', '(createTimestamp>=bad)',
  '(!(createTimestamp>=bad))', '(modifyTimestamp=*)', '(createTimestamp=2*)', '(!(createTimestamp=2*))', '(createTimestamp=20000101000000Z)',
  // Other operational attributes.
  '(!(cn;lang-de=*))', '(!(cn;x-none=px eins))', '(objectClass=zzz)', '(!(objectClass=zzz))', '(!(objectClass=user))', '(!(foo=*))', '(!(foo=bar))',
  '(!(userAccountControl:1.2.840.113556.1.4.803:=2))', '(!(:caseExactMatch:=zz))', '(cn;LANG-DE=*)', '(!(uid=\\ff))', '(!(cn=\\c3))', '(uid=\\ff)', '(o=*SaLE*S*  )', '(uid=Us*0012* )', '(cn=  *)',
  '(description=οδοσ street)', '(description=ΟΔΟΣ STREET)', '(hasSubordinates=TRUE)', '(entryUUID=*)', '(entryCSN>=2)', '(!(entryCSN>=2))',
  // Approximate: words in order (chosen so that slapd's phonetic folding finds nothing more: there (mail~=px2@example.com)
  // also finds PX1@Example.COM and (cn~=kowalski 7) every Kowalski).
  '(cn~=hugo)', '(cn~=px one)', '(cn~=one px)', '(uidNumber~=1000)', '(cn~=kowalski)',
  // Extensible matches.
  '(ou:dn:=people)', '(ou:dn:=PEOPLE)', '(uid:dn:=user00001)', '(name:dn:=people)', '(cn:dn:=people)', '(!(cn:dn:=zzz))', '(:dn:caseIgnoreMatch:=EVAL)',
  '(:dn:caseExactMatch:=eval)', '(:dn:caseExactMatch:=Eval)', '(cn:caseExactMatch:=Px One)', '(cn:caseExactMatch:=px one)', '(cn:2.5.13.5:=Px One)',
  '(:caseExactMatch:=Px One)', '(!(:caseExactMatch:=zz))', '(cn:caseIgnoreOrderingMatch:=b)', '(uidNumber:integerOrderingMatch:=1001)',
  '(uidNumber:1.2.840.113556.1.4.803:=8)', '(uidNumber:1.2.840.113556.1.4.804:=8)', '(gidNumber:1.2.840.113556.1.4.803:=4)', '(gidNumber:1.2.840.113556.1.4.804:=3)',
  '(!(uid:1.2.840.113556.1.4.803:=1))', '(!(gidNumber:1.2.840.113556.1.4.803:=x))', '(!(cn:caseExactIA5Match:=x))', '(mail:caseExactIA5Match:=px2@example.com)',
  '(mail:caseExactIA5Match:=PX2@example.com)', '(uid:dn:caseIgnoreMatch:=PX1)', '(member:distinguishedNameMatch:=uid=PX1,ou=eval,dc=example,dc=com)',
  // Logic with Undefined.
  '(|(cn>=a)(uid=px1))', '(&(cn>=a)(uid=px1))', '(!(&(cn>=a)(uid=px1)))', '(!(|(cn>=a)(uid=px1)))', '(!(|(cn>=a)(uid=zzz)))', '(&(!(uid=px1))(objectClass=posixAccount))',
  // Binary attributes (jpegPhoto has no EQUALITY rule in OpenLDAP's schema).
  '(jpegPhoto=*)', '(!(jpegPhoto=*))', '(jpegPhoto=x)', '(!(jpegPhoto=x))', '(userPassword=*)', '(userPassword=user-pass)', '(!(userPassword>=a))',
];

describe('filter evaluation: the same DNs as slapd', () => {
  it('for hand-picked filters covering each matching rule', async () => {
    expect(entries.length).toBeGreaterThan(300 + ADDED.length);
    expect(await disagreements(FIXED)).toEqual([]);
  });

  // FILTER_EVAL_SEED=<n> FILTER_EVAL_COUNT=<n> explore other filters (e.g. after changing the evaluator).
  const seed = Number(process.env.FILTER_EVAL_SEED ?? 20240607);
  const count = Number(process.env.FILTER_EVAL_COUNT ?? 400);
  it(`for ${count} generated filters over the data (seed ${seed})`, async () => {
    const filters = generateFilters(entries, count, seed);
    expect(new Set(filters).size).toBeGreaterThan(count * 0.85);
    const problems = await disagreements(filters);
    expect(problems).toEqual([]);
    // The generated filters are not trivially empty or all-matching.
    console.log(`filter-eval vs slapd: ${filters.length} generated filters agree; ${selective} select some but not all of ${entries.length} entries`);
    expect(selective).toBeGreaterThan(filters.length * 0.3);
  });
});

// ---------------------------------------------------------------------------------------------
// The generator.

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const GENERATED_ATTRIBUTES: [string, number][] = [
  ['uid', 4], ['cn', 5], ['sn', 3], ['givenName', 3], ['mail', 4], ['employeeType', 3], ['departmentNumber', 3], ['objectClass', 4],
  ['uidNumber', 2], ['gidNumber', 2], ['telephoneNumber', 2], ['employeeNumber', 1], ['description', 1], ['title', 1], ['member', 1],
  ['createTimestamp', 1], ['homeDirectory', 1], ['name', 1], ['cn;lang-de', 1], ['ou', 1], ['o', 1], ['memberUid', 1],
  // Outside slapd's schema (Undefined there), and an option it does not know.
  ['fooAttribute', 0.3], ['userAccountControl', 0.3], ['cn;x-private', 0.3],
];
const CLASSES = ['top', 'person', 'organizationalPerson', 'inetOrgPerson', 'posixAccount', 'shadowAccount', 'organizationalUnit', 'organization',
  'dcObject', 'groupOfNames', 'posixGroup', 'organizationalRole', 'simpleSecurityObject', 'device', '2.5.6.6', 'residentialPerson', 'account'];
const NAME_TYPES = ['name', 'cn', 'sn', 'givenname', 'ou', 'o', 'title', 'c', 'l', 'st'];

function generateFilters(data: FilterEntry[], count: number, seed: number): string[] {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(a: readonly T[]): T => a[int(a.length)];
  const totalWeight = GENERATED_ATTRIBUTES.reduce((s, [, w]) => s + w, 0);
  const pickAttribute = (): string => {
    let r = rand() * totalWeight;
    for (const [a, w] of GENERATED_ATTRIBUTES) if ((r -= w) < 0) return a;
    return 'cn';
  };

  const pool = new Map<string, string[]>();
  const valuesOf = (attribute: string): string[] => {
    let values = pool.get(attribute);
    if (values) return values;
    const lower = attribute.toLowerCase();
    const names = lower === 'name' ? NAME_TYPES : [lower];
    values = [];
    for (const e of data) for (const [k, v] of Object.entries(e.attributes)) if (names.includes(k.toLowerCase()) && !(e.binary ?? []).includes(k)) values.push(...v);
    if (lower === 'objectclass') values.push(...CLASSES);
    if (values.length === 0) values.push('Px One', 'px1', '1000', 'abc');
    pool.set(attribute, values);
    return values;
  };

  /** Case changes, extra or edge spaces, decomposed accents. */
  const vary = (v: string): string => {
    let out = v;
    const r = rand();
    if (r < 0.25) out = [...out].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
    else if (r < 0.35) out = out.toUpperCase();
    if (rand() < 0.2) out = out.replace(/ /g, () => ' '.repeat(1 + int(3)));
    if (rand() < 0.1) out = ` ${out}`;
    if (rand() < 0.1) out = `${out}  `;
    if (rand() < 0.15) out = out.normalize('NFD');
    return out;
  };

  const equality = (attribute: string): string => {
    const r = rand();
    if (r < 0.08) return `(${attribute}=${pick(['', 'x', 'ü', 'zzz', '0', '-1', 'Ünknown Value', ' '])})`;
    return `(${attribute}=${escapeFilterValue(vary(pick(valuesOf(attribute))))})`;
  };

  const substrings = (attribute: string): string => {
    const value = vary(pick(valuesOf(attribute)));
    const chars = [...value];
    if (chars.length < 2) return `(${attribute}=${escapeFilterValue(value)}*)`;
    // Cut points: 1-4 increasing positions; the text between alternate cuts is kept.
    const cuts = new Set<number>();
    const n = 1 + int(4);
    for (let k = 0; k < n; k++) cuts.add(int(chars.length + 1));
    const points = [...cuts].sort((a, b) => a - b);
    const pieces: string[] = [];
    let from = 0;
    for (const p of points) {
      pieces.push(chars.slice(from, p).join(''));
      from = p + (rand() < 0.5 ? 1 + int(2) : 0);
    }
    pieces.push(chars.slice(Math.min(from, chars.length)).join(''));
    const [initial, ...rest] = pieces;
    const final = rest.pop() ?? '';
    const any = rest.filter((p) => p !== '');
    if (initial === '' && final === '' && any.length === 0) return `(${attribute}=*)`;
    return `(${attribute}=${escapeFilterValue(initial)}*${any.map((p) => `${escapeFilterValue(p)}*`).join('')}${escapeFilterValue(final)})`;
  };

  const ordering = (attribute: string): string => {
    const op = rand() < 0.5 ? '>=' : '<=';
    const values = valuesOf(attribute);
    let value = values.length ? pick(values) : 'm';
    const r = rand();
    if (/^-?[0-9]+$/.test(value) && r < 0.5) value = String(int(30_000) - 100);
    else if (r < 0.3) value = value.slice(0, 1 + int(Math.max(1, value.length - 1)));
    else if (r < 0.4) value = pick(['a', 'Z', '0', 'abc', '20000101000000Z', '2030010112Z', '20240101120000.5+0200']);
    return `(${attribute}${op}${escapeFilterValue(vary(value))})`;
  };

  const leaf = (): string => {
    const attribute = pickAttribute();
    const r = rand();
    if (r < 0.1) return `(${attribute}=*)`;
    if (r < 0.5) return equality(attribute);
    if (r < 0.8) return substrings(attribute);
    return ordering(attribute);
  };

  const node = (depth: number): string => {
    const r = rand();
    if (depth >= 3 || r < 0.55) return leaf();
    if (r < 0.7) return `(!${node(depth + 1)})`;
    const parts = Array.from({ length: 2 + int(2) }, () => node(depth + 1));
    return `(${r < 0.85 ? '&' : '|'}${parts.join('')})`;
  };

  return Array.from({ length: count }, () => node(0));
}
