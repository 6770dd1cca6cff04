/**
 * The data of the 389 Directory Server rig (dirsrv.ts): fixed names, the bind accounts and the
 * generated people, as LDIF for an offline `ldif2db` import.
 */

/** The suffix of the rig's one backend (userRoot). */
export const DIRSRV_SUFFIX = 'dc=example,dc=test';
export const DIRSRV_PEOPLE_DN = `ou=People,${DIRSRV_SUFFIX}`;
export const DIRSRV_SERVICES_DN = `ou=Services,${DIRSRV_SUFFIX}`;
/** 389-ds's root account: bypasses ACIs and limits, may write. */
export const DIRSRV_ROOT_DN = 'cn=Directory Manager';
export const DIRSRV_ROOT_PW = 'dm-password-1';
/** Password of every generated person. */
export const DIRSRV_PERSON_PASSWORD = 'person-pass-1';

/** A bind identity of the rig. */
export interface DirsrvAccount {
  dn: string;
  password: string;
}

/** The sync account: an ACI on the suffix lets it read and search everything but userPassword (operational attributes included). */
export const DIRSRV_READER: DirsrvAccount = { dn: `uid=sync,${DIRSRV_SERVICES_DN}`, password: 'sync-pass-1' };
/** An account no ACI names: its searches return 0 entries with rc=0 (389-ds's silent empty result). */
export const DIRSRV_NO_ACI: DirsrvAccount = { dn: `uid=no-aci,${DIRSRV_SERVICES_DN}`, password: 'no-aci-pass-1' };
/** An account with the read ACI and the right password, locked with `nsAccountLock: true`. */
export const DIRSRV_LOCKED: DirsrvAccount = { dn: `uid=locked,${DIRSRV_SERVICES_DN}`, password: 'locked-pass-1' };

/** Default number of generated people (the audit used 3,000). */
export const DIRSRV_DEFAULT_PEOPLE = 3000;

/** Every person `i` with `i % DIRSRV_LOCK_EVERY === 0` is locked (`nsAccountLock: true`). */
export const DIRSRV_LOCK_EVERY = 250;

/** uid of the i-th generated person (1-based): `person00001`. */
export function personUid(i: number): string {
  return `person${String(i).padStart(5, '0')}`;
}

/** DN of the i-th generated person (1-based). */
export function personDn(i: number): string {
  return `uid=${personUid(i)},${DIRSRV_PEOPLE_DN}`;
}

/** The generated person i is locked in the directory. */
export const personLocked = (i: number): boolean => i % DIRSRV_LOCK_EVERY === 0;

const GIVEN = ['Ada', 'Bruno', 'Célia', 'Dmitri', 'Elif', 'Farid', 'Gosia', 'Hana'];
const SURNAMES = ['Lindqvist', 'Moreau', 'Nakamura', 'Ortiz', 'Pétursson', 'Quinn', 'Rahman'];

/** One LDIF attribute line; non-ASCII values base64-encoded as LDIF requires. */
export function ldifLine(attr: string, value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value)
    ? `${attr}: ${value}\n`
    : `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}\n`;
}

/** The attributes of person i, so tests can predict values. */
export function personAttributes(i: number): Record<string, string> {
  const uid = personUid(i);
  const givenName = GIVEN[i % GIVEN.length]!;
  const sn = SURNAMES[(i * 3) % SURNAMES.length]!;
  return { uid, cn: `${givenName} ${sn} ${i}`, givenName, sn, mail: `${uid}@example.test`, departmentNumber: `D${100 + (i % 5)}` };
}

/** An inetOrgPerson entry in ou=People with the given attributes (uid names it). */
export function personLdif(attrs: Record<string, string>, extra = ''): string {
  let s = `dn: uid=${attrs.uid},${DIRSRV_PEOPLE_DN}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: inetOrgPerson\n`;
  for (const [k, v] of Object.entries(attrs)) s += ldifLine(k, v);
  return `${s}userPassword: ${DIRSRV_PERSON_PASSWORD}\n${extra}\n`;
}

function account(a: DirsrvAccount, extra = ''): string {
  const uid = a.dn.slice(4, a.dn.indexOf(','));
  return `dn: ${a.dn}\nobjectClass: top\nobjectClass: account\nobjectClass: simpleSecurityObject\nuid: ${uid}\nuserPassword: ${a.password}\n${extra}\n`;
}

/** The tree without people: suffix (with the readers' ACI), ou=People, ou=Services and its accounts. */
export function dirsrvBaseLdif(): string {
  const readers = [DIRSRV_READER, DIRSRV_LOCKED].map((a) => `userdn="ldap:///${a.dn}"`).join(' or ');
  return [
    `dn: ${DIRSRV_SUFFIX}\nobjectClass: top\nobjectClass: domain\ndc: example\n` +
      `aci: (targetattr!="userPassword")(version 3.0; acl "lss readers"; allow (read, search, compare) ${readers};)\n\n`,
    `dn: ${DIRSRV_PEOPLE_DN}\nobjectClass: top\nobjectClass: organizationalUnit\nou: People\n\n`,
    `dn: ${DIRSRV_SERVICES_DN}\nobjectClass: top\nobjectClass: organizationalUnit\nou: Services\n\n`,
    account(DIRSRV_READER),
    account(DIRSRV_NO_ACI),
    account(DIRSRV_LOCKED, 'nsAccountLock: true\n'),
  ].join('');
}

/** LDIF of people `from`..`to` (1-based, inclusive); every DIRSRV_LOCK_EVERY-th is locked. */
export function peopleLdif(from: number, to: number): string {
  let s = '';
  for (let i = from; i <= to; i++) s += personLdif(personAttributes(i), personLocked(i) ? 'nsAccountLock: true\n' : '');
  return s;
}
