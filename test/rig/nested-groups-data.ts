/**
 * Nested groups for the slapd rig, added after start (test/rig/directory-data.ts stays as it is):
 * a groupOfNames chain inner ⊂ middle ⊂ outer (outer a groupOfUniqueNames), and a cycle
 * loop-a ⊂ loop-b ⊂ loop-a, under the rig's `ou=groups`.
 */
import { run } from './exec';
import type { Slapd } from './slapd';

/** The nested groups' DNs and who is in them directly. */
export function nestedGroups(slapd: Slapd) {
  const g = (cn: string) => `cn=${cn},ou=groups,${slapd.suffix}`;
  return {
    inner: g('inner'),
    middle: g('middle'),
    outer: g('outer'),
    loopA: g('loop-a'),
    loopB: g('loop-b'),
    /** user00003 is in inner; user00004 in loop-a; user00001 and user00002 in the rig's admins, which is in middle. */
    innerMember: slapd.userDn(3),
    loopMember: slapd.userDn(4),
    admins: g('admins'),
  };
}

/** Adds the nested groups as the rootdn (ldapadd). */
export async function addNestedGroups(slapd: Slapd): Promise<void> {
  const n = nestedGroups(slapd);
  const names = (dn: string, members: string[], cls = 'groupOfNames', attr = 'member') =>
    `dn: ${dn}\nobjectClass: ${cls}\ncn: ${/^cn=([^,]+)/.exec(dn)![1]}\n${members.map((m) => `${attr}: ${m}\n`).join('')}\n`;
  // slapd checks no member (no refint overlay), so loop-a may name loop-b before it exists.
  const ldif =
    names(n.inner, [n.innerMember]) +
    // Spelled differently from the group's own DN: comparison ignores case and spacing.
    names(n.middle, ['CN=Inner, OU=Groups, DC=Example, DC=Com', n.admins]) +
    names(n.outer, [`${n.middle}#'0101'B`], 'groupOfUniqueNames', 'uniqueMember') +
    names(n.loopA, [n.loopMember, n.loopB]) +
    names(n.loopB, [n.loopA]);
  await run('ldapadd', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: ldif });
}
