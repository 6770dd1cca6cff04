/**
 * Active Directory's binary identifiers as the text AD tools show: objectSid (and the other
 * SID-valued attributes) as `S-1-5-21-…`, objectGUID (and the other GUID-valued ones) in the
 * mixed-endian form `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case, as `samba-tool` and
 * `ldbsearch` print them. For the raw view (app and CLI). Pure code: runs in main and in the
 * renderer. Scripts have the same conversions as `ad.sid()` / `ad.guid()` in the sandbox.
 */

/** Attributes whose values are SIDs (compared ignoring case). */
export const SID_ATTRIBUTES: readonly string[] = ['objectSid', 'sIDHistory', 'tokenGroups', 'tokenGroupsGlobalAndUniversal', 'msExchMasterAccountSid', 'securityIdentifier'];
/** Attributes whose values are GUIDs (compared ignoring case). */
export const GUID_ATTRIBUTES: readonly string[] = ['objectGUID', 'msExchMailboxGuid', 'mS-DS-ConsistencyGuid', 'schemaIDGUID', 'attributeSecurityGUID'];

const SIDS = new Set(SID_ATTRIBUTES.map((a) => a.toLowerCase()));
const GUIDS = new Set(GUID_ATTRIBUTES.map((a) => a.toLowerCase()));
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The bytes of base64 text, or null when it is not base64. */
function bytesOf(base64: string): number[] | null {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of base64.replace(/=+$/, '')) {
    const d = B64.indexOf(c);
    if (d < 0) return null;
    acc = ((acc << 6) | d) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return out;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/** SID bytes as text, or null when they are not a SID. An authority of 2^32 - 1 or more is hex, as Samba prints it. */
export function sidText(bytes: readonly number[]): string | null {
  if (bytes.length < 8 || bytes.length !== 8 + 4 * bytes[1]) return null;
  let authority = 0;
  for (let k = 2; k < 8; k++) authority = authority * 256 + bytes[k];
  let out = `S-${bytes[0]}-${authority < 4294967295 ? authority : `0x${authority.toString(16)}`}`;
  for (let at = 8; at < bytes.length; at += 4) out += `-${bytes[at] + bytes[at + 1] * 256 + bytes[at + 2] * 65536 + bytes[at + 3] * 16777216}`;
  return out;
}

/** GUID bytes as text (mixed-endian, lower-case, no braces), or null when they are not 16 bytes. */
export function guidText(bytes: readonly number[]): string | null {
  if (bytes.length !== 16) return null;
  const h = (...idx: number[]) => idx.map((i) => hex2(bytes[i])).join('');
  return `${h(3, 2, 1, 0)}-${h(5, 4)}-${h(7, 6)}-${h(8, 9)}-${h(10, 11, 12, 13, 14, 15)}`;
}

/**
 * The text form of a binary value of `attribute` (without options) when it is a SID or a GUID
 * attribute and the bytes fit; null otherwise.
 */
export function adBinaryText(attribute: string, base64: string): string | null {
  const name = attribute.split(';')[0].toLowerCase();
  const sid = SIDS.has(name);
  if (!sid && !GUIDS.has(name)) return null;
  const bytes = bytesOf(base64);
  if (bytes === null) return null;
  return sid ? sidText(bytes) : guidText(bytes);
}
