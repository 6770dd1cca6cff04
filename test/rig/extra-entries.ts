/**
 * Hand-made entries for the preview tests, under their own `ou=extras` (so the generated
 * `ou=people` counts stay as they are): several mail values, no mail, a shared mail, a
 * multi-valued uid, binary photos (one of them valid UTF-8 by accident) and an `o` attribute.
 */
/** `ou=extras,dc=example,dc=com` (the suffix is spelt out: directory-data.ts imports this file). */
export const EXTRAS_DN = 'ou=extras,dc=example,dc=com';

/** Bytes of a JPEG header: not valid UTF-8. */
export const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x80, 0xfe]);
/** Bytes of a GIF header: valid UTF-8 text by accident, still binary. */
export const GIF_BYTES = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');

/** The extras, by uid: what each holds. */
export const EXTRAS = {
  /** Three mail values, a JPEG photo, o=Sales, employeeType admin. */
  multi: { uid: 'multi', mails: ['multi.one@example.org', 'multi.two@example.org', 'multi.three@example.org'], givenName: 'Maria', sn: 'Multi', o: 'Sales', employeeType: 'admin' },
  /** No mail at all, a GIF photo, o=Nowhere Inc (no such organization). */
  nomail: { uid: 'nomail', givenName: 'Nils', sn: 'Nomail', o: 'Nowhere Inc', employeeType: 'staff' },
  /** Shares its mail with `multi`'s first value. */
  shared: { uid: 'shared', mails: ['multi.one@example.org'], givenName: 'Sam', sn: 'Shared', employeeType: 'staff' },
  /** Two uid values. */
  twouids: { uids: ['twouids', 'twouids-alias'], mails: ['two@example.org'], givenName: 'Tom', sn: 'Two', employeeType: 'contractor' },
} as const;

/** Number of inetOrgPerson entries under {@link EXTRAS_DN}. */
export const EXTRAS_COUNT = 4;

function b64(attr: string, bytes: Buffer): string {
  return `${attr}:: ${bytes.toString('base64')}\n`;
}

/** The LDIF of `ou=extras` and its entries. */
export function extrasLdif(): string {
  const person = (uid: string, lines: string) => `dn: uid=${uid},${EXTRAS_DN}\nobjectClass: inetOrgPerson\n${lines}\n`;
  const m = EXTRAS.multi;
  const n = EXTRAS.nomail;
  const s = EXTRAS.shared;
  const t = EXTRAS.twouids;
  return (
    `dn: ${EXTRAS_DN}\nobjectClass: organizationalUnit\nou: extras\n\n` +
    person(m.uid, `uid: ${m.uid}\ncn: Maria Multi\nsn: ${m.sn}\ngivenName: ${m.givenName}\n${m.mails.map((x) => `mail: ${x}\n`).join('')}o: ${m.o}\nemployeeType: ${m.employeeType}\n${b64('jpegPhoto', JPEG_BYTES)}`) +
    person(n.uid, `uid: ${n.uid}\ncn: Nils Nomail\nsn: ${n.sn}\ngivenName: ${n.givenName}\no: ${n.o}\nemployeeType: ${n.employeeType}\n${b64('jpegPhoto', GIF_BYTES)}`) +
    person(s.uid, `uid: ${s.uid}\ncn: Sam Shared\nsn: ${s.sn}\ngivenName: ${s.givenName}\nmail: ${s.mails[0]}\nemployeeType: ${s.employeeType}\n`) +
    `dn: uid=${t.uids[0]},${EXTRAS_DN}\nobjectClass: inetOrgPerson\n${t.uids.map((u) => `uid: ${u}\n`).join('')}cn: Tom Two\nsn: ${t.sn}\ngivenName: ${t.givenName}\nmail: ${t.mails[0]}\nemployeeType: ${t.employeeType}\n\n`
  );
}
