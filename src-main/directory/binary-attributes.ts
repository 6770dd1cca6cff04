/**
 * Which attributes hold bytes rather than text: their values travel as base64 everywhere in the
 * app (scripts, snapshots, LDIF, the raw view), whatever the bytes happen to look like.
 */

/** Attributes whose values are bytes, not text (compared ignoring case, without options). */
export const BINARY_ATTRIBUTES: readonly string[] = [
  'objectGUID',
  'objectSid',
  'sIDHistory',
  'tokenGroups',
  'msExchMailboxGuid',
  'msExchMasterAccountSid',
  'mS-DS-ConsistencyGuid',
  'msDS-GenerationId',
  'jpegPhoto',
  'thumbnailPhoto',
  'photo',
  'audio',
  'userCertificate',
  'cACertificate',
  'crossCertificatePair',
  'certificateRevocationList',
  'authorityRevocationList',
  'deltaRevocationList',
  'userSMIMECertificate',
  'userPKCS12',
  'logonHours',
];

const BINARY_KEYS = new Set(BINARY_ATTRIBUTES.map((a) => a.toLowerCase()));

/**
 * The names to give ldapts as `explicitBufferAttributes`. ldapts compares them with the server's
 * spelling exactly, so the usual spellings and their `;binary` forms are listed.
 */
export const EXPLICIT_BUFFER_ATTRIBUTES: readonly string[] = BINARY_ATTRIBUTES.flatMap((a) => [a, a.toLowerCase(), `${a};binary`, `${a.toLowerCase()};binary`]);

const binaryMemo = new Map<string, boolean>();

/** True when values of this attribute description are bytes (`jpegPhoto`, `userCertificate;binary`, ...). */
export function isBinaryAttribute(name: string): boolean {
  let known = binaryMemo.get(name);
  if (known === undefined) {
    const lower = name.toLowerCase();
    known = /;binary(;|$)/.test(lower) || BINARY_KEYS.has(lower.split(';')[0]);
    // Attribute names repeat across entries: remember them (bounded, names come from directories).
    if (binaryMemo.size < 10_000) binaryMemo.set(name, known);
  }
  return known;
}
