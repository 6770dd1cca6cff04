import { extrasLdif } from './extra-entries';

/** Fixed names of the generated test directory. */
export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE_DN = `ou=people,${SUFFIX}`;
export const GROUPS_DN = `ou=groups,${SUFFIX}`;
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const SYNC_DN = `cn=sync,ou=service,${SUFFIX}`;
export const LIMITED_DN = `cn=limited,ou=service,${SUFFIX}`;
/** Plain-text password shared by every generated user (stored unhashed; slapd compares it as-is). */
export const USER_PASSWORD = 'user-pass';

const GIVEN = ['Anna', 'Ben', 'Chloé', 'David', 'Eva', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karin'];
const SURNAMES = ['Smith', 'Müller', 'Nguyen', 'García', 'Kowalski', 'Okafor', 'Rossi', 'Tanaka', 'Jensen'];
const TYPES = ['staff', 'contractor', 'intern'];

/** uid of the i-th generated user (1-based): `user00001`, ..., `user100000`. */
export function userUid(i: number): string {
  return `user${String(i).padStart(5, '0')}`;
}

/** DN of the i-th generated user (1-based). */
export function userDn(i: number): string {
  return `uid=${userUid(i)},${PEOPLE_DN}`;
}

/** The attributes generated for user i (1-based), so tests can predict values. */
export function userAttributes(i: number): Record<string, string> {
  const uid = userUid(i);
  const givenName = GIVEN[i % GIVEN.length];
  const sn = SURNAMES[(i * 7) % SURNAMES.length];
  return {
    uid,
    cn: `${givenName} ${sn} ${i}`,
    sn,
    givenName,
    mail: `${uid}@example.com`,
    employeeType: TYPES[i % TYPES.length],
    departmentNumber: `D${100 + (i % 10)}`,
  };
}

/** One LDIF attribute line; non-ASCII values are base64-encoded (`attr:: ...`) as LDIF requires. */
function line(attr: string, value: string): string {
  return /^[\x20-\x7e]*$/.test(value) && !/^[ :<]/.test(value)
    ? `${attr}: ${value}\n`
    : `${attr}:: ${Buffer.from(value, 'utf8').toString('base64')}\n`;
}

// Pre-encoded lines for the small name pools keep 100k-user LDIF generation fast.
const GIVEN_LINES = GIVEN.map((g) => line('givenName', g));
const SN_LINES = SURNAMES.map((n) => line('sn', n));

function userEntry(i: number): string {
  const uid = userUid(i);
  const g = i % GIVEN.length;
  const n = (i * 7) % SURNAMES.length;
  return (
    `dn: uid=${uid},${PEOPLE_DN}\nobjectClass: inetOrgPerson\nuid: ${uid}\n` +
    line('cn', `${GIVEN[g]} ${SURNAMES[n]} ${i}`) +
    SN_LINES[n] +
    GIVEN_LINES[g] +
    `mail: ${uid}@example.com\nemployeeType: ${TYPES[i % TYPES.length]}\ndepartmentNumber: D${100 + (i % 10)}\n` +
    `userPassword: ${USER_PASSWORD}\n\n`
  );
}

function serviceEntry(dn: string, cn: string, password: string): string {
  const classes = 'objectClass: organizationalRole\nobjectClass: simpleSecurityObject\n';
  return `dn: ${dn}\n${classes}cn: ${cn}\nuserPassword: ${password}\n\n`;
}

function group(cn: string, members: string[]): string {
  const memberLines = members.map((m) => `member: ${m}\n`).join('');
  return `dn: cn=${cn},${GROUPS_DN}\nobjectClass: groupOfNames\ncn: ${cn}\n${memberLines}\n`;
}

/** Inputs of {@link buildDirectoryLdif}. */
export interface DirectoryShape {
  users: number;
  syncPw: string;
  /** Omit the size-limited account when undefined. */
  limitedPw?: string;
  /** Add the hand-made preview entries of `ou=extras` (see extra-entries.ts). */
  extras?: boolean;
}

/**
 * LDIF for the whole test tree, in chunks of ~1000 entries (stream it into `slapadd`):
 * suffix, `ou=people` with `users` inetOrgPerson entries, `ou=service` with the sync (and
 * optionally size-limited) account, `ou=groups` with two groupOfNames.
 */
export function* directoryLdifChunks(shape: DirectoryShape): Generator<string> {
  const parts: string[] = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example Corp\n\n`,
    `dn: ${PEOPLE_DN}\nobjectClass: organizationalUnit\nou: people\n\n`,
    `dn: ou=service,${SUFFIX}\nobjectClass: organizationalUnit\nou: service\n\n`,
    `dn: ${GROUPS_DN}\nobjectClass: organizationalUnit\nou: groups\n\n`,
    serviceEntry(SYNC_DN, 'sync', shape.syncPw),
  ];
  if (shape.limitedPw !== undefined) parts.push(serviceEntry(LIMITED_DN, 'limited', shape.limitedPw));
  const firstUsers = (n: number) => Array.from({ length: Math.min(n, shape.users) }, (_, k) => userDn(k + 1));
  // groupOfNames needs at least one member; fall back to the sync account for tiny directories.
  parts.push(group('admins', firstUsers(2).length ? firstUsers(2) : [SYNC_DN]));
  parts.push(group('staff', firstUsers(10).length ? firstUsers(10) : [SYNC_DN]));
  if (shape.extras) parts.push(extrasLdif());
  yield parts.join('');
  for (let start = 1; start <= shape.users; start += 1000) {
    let chunk = '';
    for (let i = start; i < start + 1000 && i <= shape.users; i++) chunk += userEntry(i);
    yield chunk;
  }
}

/** The whole LDIF of {@link directoryLdifChunks} as one string. */
export function buildDirectoryLdif(shape: DirectoryShape): string {
  return [...directoryLdifChunks(shape)].join('');
}
