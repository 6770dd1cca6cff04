/**
 * The data every test Samba AD DC holds, shaped like a real Active Directory: ordinary people
 * (some disabled, a few without email), non-ASCII and escaped DNs, nested groups (and a cycle), a
 * group with more members than AD's MaxValRange of 1,500, an enabled and a disabled bind account.
 * Changing this file changes the cached template's key, so the next run provisions afresh.
 */

export const SAMBA_REALM = 'SAMDOM.TEST';
export const SAMBA_DOMAIN = 'SAMDOM';
export const SAMBA_BASE_DN = 'DC=samdom,DC=test';
export const SAMBA_PEOPLE_DN = `OU=People,${SAMBA_BASE_DN}`;
export const SAMBA_GROUPS_DN = `OU=Groups,${SAMBA_BASE_DN}`;
export const SAMBA_SERVICE_DN = `OU=Service Accounts,${SAMBA_BASE_DN}`;
/** A sub-OU with a non-ASCII name (for OU moves and UTF-8 DNs). */
export const SAMBA_ZURICH_DN = `OU=Zürich Office,${SAMBA_PEOPLE_DN}`;

export const SAMBA_ADMIN_PASSWORD = 'Admin-Pass-2026!';
export const SAMBA_ADMIN_DN = `CN=Administrator,CN=Users,${SAMBA_BASE_DN}`;

/** The enabled bind account the tests sync as (userAccountControl 66048: normal, password never expires). */
export const SAMBA_READER = {
  dn: `CN=LDAP Reader,${SAMBA_SERVICE_DN}`,
  sAMAccountName: 'ldap-reader',
  upn: `ldap-reader@${SAMBA_REALM.toLowerCase()}`,
  password: 'Reader-Pass-2026!',
} as const;

/** A bind account with the right password but ACCOUNTDISABLE set (userAccountControl 514). */
export const SAMBA_DISABLED_READER = {
  dn: `CN=Disabled Reader,${SAMBA_SERVICE_DN}`,
  sAMAccountName: 'disabled-reader',
  upn: `disabled-reader@${SAMBA_REALM.toLowerCase()}`,
  password: 'Disabled-Pass-2026!',
} as const;

/** Number of generated people `CN=User 0001` .. `CN=User 1650` directly under OU=People. */
export const SAMBA_USER_COUNT = 1650;
/** Generated user i is disabled (userAccountControl 514) when i % SAMBA_DISABLED_EVERY === 0. */
export const SAMBA_DISABLED_EVERY = 10;
/** Generated user i has no `mail` when i % SAMBA_NO_MAIL_EVERY === 0. */
export const SAMBA_NO_MAIL_EVERY = 50;
/** Members of 'Big Group': users 1..SAMBA_BIG_GROUP_SIZE (more than AD's MaxValRange of 1,500). */
export const SAMBA_BIG_GROUP_SIZE = 1600;

/** sAMAccountName of generated user i (1-based): `user0001`. */
export function sambaUser(i: number): string {
  return `user${String(i).padStart(4, '0')}`;
}

/** DN of generated user i (1-based): `CN=User 0001,OU=People,DC=samdom,DC=test`. */
export function sambaUserDn(i: number): string {
  return `CN=User ${String(i).padStart(4, '0')},${SAMBA_PEOPLE_DN}`;
}

/** Hand-made people whose DNs need escaping or UTF-8 (RFC 4514), by sAMAccountName. */
export const SAMBA_SPECIAL_PEOPLE = {
  jsmith: { dn: `CN=Smith\\, John,${SAMBA_PEOPLE_DN}`, givenName: 'John', sn: 'Smith', mail: 'john.smith@samdom.test' },
  zangstrom: { dn: `CN=Zoë Ångström,${SAMBA_PEOPLE_DN}`, givenName: 'Zoë', sn: 'Ångström', mail: 'zoe.angstrom@samdom.test' },
  hashplus: { dn: `CN=\\#Lead Hash\\+Plus,${SAMBA_PEOPLE_DN}`, givenName: 'Hash', sn: 'Plus', mail: 'hash.plus@samdom.test' },
  jweiss: { dn: `CN=Jürgen Weiß,${SAMBA_ZURICH_DN}`, givenName: 'Jürgen', sn: 'Weiß', mail: 'juergen.weiss@samdom.test' },
} as const;

/** Groups under OU=Groups. GG-Inner ⊂ GG-Middle ⊂ GG-Outer; GG-CycleA and GG-CycleB contain each other. */
export const SAMBA_GROUPS = {
  inner: `CN=GG-Inner,${SAMBA_GROUPS_DN}`,
  middle: `CN=GG-Middle,${SAMBA_GROUPS_DN}`,
  outer: `CN=GG-Outer,${SAMBA_GROUPS_DN}`,
  cycleA: `CN=GG-CycleA,${SAMBA_GROUPS_DN}`,
  cycleB: `CN=GG-CycleB,${SAMBA_GROUPS_DN}`,
  big: `CN=Big Group,${SAMBA_GROUPS_DN}`,
} as const;

/** Direct members: user1, user2 in GG-Inner; user3 in GG-Middle; user4 in GG-CycleA; jsmith in GG-Outer. */
export const SAMBA_GROUP_MEMBERS = {
  inner: [sambaUserDn(1), sambaUserDn(2)],
  middle: [SAMBA_GROUPS.inner, sambaUserDn(3)],
  outer: [SAMBA_GROUPS.middle, SAMBA_SPECIAL_PEOPLE.jsmith.dn],
  cycleA: [SAMBA_GROUPS.cycleB, sambaUserDn(4)],
} as const;

/** Every person (generated + special) under OU=People, subtree, i.e. what a People-based sync sees. */
export const SAMBA_PEOPLE_COUNT = SAMBA_USER_COUNT + Object.keys(SAMBA_SPECIAL_PEOPLE).length;

/** AD's unicodePwd: the password in double quotes, UTF-16LE, base64 for LDIF. */
export function unicodePwd(password: string): string {
  return Buffer.from(`"${password}"`, 'utf16le').toString('base64');
}

function b64(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** One LDIF line, base64 when the value is not plain ASCII or starts unsafely (RFC 2849). */
function line(name: string, value: string): string {
  return /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ')
    ? `${name}: ${value}`
    : `${name}:: ${b64(value)}`;
}

function person(dn: string, sam: string, attrs: { givenName: string; sn: string; mail?: string; uac: number }): string {
  return [
    line('dn', dn), 'objectClass: user', line('sAMAccountName', sam), line('givenName', attrs.givenName),
    line('sn', attrs.sn), ...(attrs.mail ? [line('mail', attrs.mail)] : []),
    `userPrincipalName: ${sam}@${SAMBA_REALM.toLowerCase()}`, `userAccountControl: ${attrs.uac}`,
  ].join('\n');
}

function group(dn: string, name: string, members: readonly string[]): string {
  return [line('dn', dn), 'objectClass: group', line('sAMAccountName', name), ...members.map((m) => line('member', m))].join('\n');
}

/** The LDIF `ldapadd` loads into a freshly provisioned domain (over ldaps, as Administrator). */
export function sambaDataLdif(): string {
  const records: string[] = [
    line('dn', SAMBA_PEOPLE_DN) + '\nobjectClass: organizationalUnit',
    line('dn', SAMBA_ZURICH_DN) + '\nobjectClass: organizationalUnit',
    line('dn', SAMBA_GROUPS_DN) + '\nobjectClass: organizationalUnit',
    line('dn', SAMBA_SERVICE_DN) + '\nobjectClass: organizationalUnit',
  ];
  for (const [sam, a, uac] of [[SAMBA_READER.sAMAccountName, SAMBA_READER, 66048], [SAMBA_DISABLED_READER.sAMAccountName, SAMBA_DISABLED_READER, 514]] as const) {
    records.push([line('dn', a.dn), 'objectClass: user', `sAMAccountName: ${sam}`, `userPrincipalName: ${a.upn}`,
      `unicodePwd:: ${unicodePwd(a.password)}`, `userAccountControl: ${uac}`].join('\n'));
  }
  for (let i = 1; i <= SAMBA_USER_COUNT; i++) {
    const sam = sambaUser(i);
    records.push(person(sambaUserDn(i), sam, {
      givenName: `Given${i}`, sn: `Surname${i}`,
      mail: i % SAMBA_NO_MAIL_EVERY === 0 ? undefined : `${sam}@samdom.test`,
      uac: i % SAMBA_DISABLED_EVERY === 0 ? 514 : 512,
    }));
  }
  for (const [sam, p] of Object.entries(SAMBA_SPECIAL_PEOPLE)) records.push(person(p.dn, sam, { ...p, uac: 512 }));
  records.push(
    group(SAMBA_GROUPS.inner, 'GG-Inner', SAMBA_GROUP_MEMBERS.inner),
    group(SAMBA_GROUPS.middle, 'GG-Middle', SAMBA_GROUP_MEMBERS.middle),
    group(SAMBA_GROUPS.outer, 'GG-Outer', SAMBA_GROUP_MEMBERS.outer),
    group(SAMBA_GROUPS.cycleB, 'GG-CycleB', []),
    group(SAMBA_GROUPS.cycleA, 'GG-CycleA', SAMBA_GROUP_MEMBERS.cycleA),
    group(SAMBA_GROUPS.big, 'Big Group', Array.from({ length: SAMBA_BIG_GROUP_SIZE }, (_, k) => sambaUserDn(k + 1))),
  );
  return records.join('\n\n') + '\n';
}

/** Closes the cycle after both groups exist (GG-CycleB gets GG-CycleA as a member). */
export function sambaDataModifyLdif(): string {
  return [line('dn', SAMBA_GROUPS.cycleB), 'changetype: modify', 'add: member', line('member', SAMBA_GROUPS.cycleA), '-', ''].join('\n');
}
