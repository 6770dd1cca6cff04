/**
 * Size limits of an LDIF import, so that a hostile or broken file is refused early, with its line
 * number, instead of taking the process's memory (every line and value is held whole while read).
 *
 * Why these numbers:
 * - A value: 16 MiB (decoded bytes). No default directory stores anything near it through LDAP:
 *   Active Directory refuses requests over MaxReceiveBuffer (10 MB), OpenLDAP over
 *   sockbuf_max_incoming_auth (4 MiB); photos and certificates are kilobytes. A value is held a
 *   few times over while read (its base64 text, its bytes, the stored JSON), about 100 MB at most.
 * - A line: what one such value takes in base64 plus its attribute name; a physical line (folded
 *   or not) and an unfolded line have the same limit, so a file without line ends is refused once
 *   it passes it, before the rest is read.
 * - A DN: 64 Ki characters. Active Directory caps an RDN at 255 characters and a tree at a few
 *   dozen levels, OpenLDAP's entries rarely pass 1 KiB; a longer DN is a broken or hostile file.
 * - An entry: 64 MiB of values in all, so one record (held whole until it ends) stays far below
 *   V8's largest string (~512 MiB) when stored as JSON.
 */

/** The limits {@link LdifReader} applies; each is checked on the line that passes it. */
export interface LdifLimits {
  /** The longest value, in bytes once decoded (default 16 MiB). */
  valueBytes: number;
  /** The longest line, physical or unfolded, in characters (default: a largest value in base64, plus 1 KiB). */
  lineChars: number;
  /** The longest DN, in characters (default 65,536). */
  dnChars: number;
  /** The most bytes of values in one entry (default 64 MiB). */
  entryBytes: number;
}

const MiB = 1024 * 1024;
const VALUE_BYTES = 16 * MiB;

/** The limits of every import (the app's and the CLI's). */
export const LDIF_LIMITS: Readonly<LdifLimits> = Object.freeze({
  valueBytes: VALUE_BYTES,
  lineChars: Math.ceil(VALUE_BYTES / 3) * 4 + 1024,
  dnChars: 65_536,
  entryBytes: 64 * MiB,
});

/** A size for messages: "16 MiB (16,777,216 bytes)", "65,536 characters". */
export function sizeText(n: number, unit: 'bytes' | 'characters'): string {
  const exact = `${n.toLocaleString('en-US')} ${unit}`;
  if (unit === 'bytes' && n >= MiB && n % MiB === 0) return `${n / MiB} MiB (${exact})`;
  return exact;
}
