/**
 * RFC 4516 LDAP URLs: `ldap[s]://host[:port]/dn?attrs?scope?filter?exts`.
 * Differences from the RFC, on purpose: the host is required (a DNS name, with an optional
 * trailing dot, an IPv4 or a bracketed IPv6 address), only ldap:// and ldaps:// are accepted,
 * surrounding whitespace is ignored and raw spaces in the DN are tolerated. As the RFC says, an
 * extension list after a fourth "?" is not empty, an extension type is a descriptor or a numeric
 * OID, and an extension value may hold a percent-encoded NUL (no other part may).
 * Checked against libldap's `ldapurl` and python-ldap (test/integration/url-conformance.test.ts).
 * Messages name the part of the URL they are about (host, port, search base, ...).
 * Pure code: runs in main and in the renderer.
 */
import { isAttributeDescription, parseDn } from './dn';
import { parseFilter } from './filter';

/** A parsed LDAP URL. `baseDn` and `filter` are percent-decoded; `host` has no IPv6 brackets and is lower-case. */
export interface LdapUrl {
  scheme: 'ldap' | 'ldaps';
  host: string;
  port: number;
  /** True when the URL spelled the port out (`:389`), false when it is the scheme's default. */
  portExplicit: boolean;
  /** The search base as text (may be "" = root DSE; the caller decides whether that is allowed). */
  baseDn: string;
  attributes: string[];
  scope: 'base' | 'one' | 'sub' | null;
  filter: string | null;
  /** Extensions as written after percent-decoding, e.g. `!StartTLS` or `bindname=cn=x`. */
  extensions: string[];
}

/** The part of an LDAP URL a parse error is about. */
export type LdapUrlPart = 'url' | 'scheme' | 'host' | 'port' | 'baseDn' | 'attributes' | 'scope' | 'filter' | 'extensions';

/**
 * The outcome of {@link parseLdapUrl}; `position` is a 0-based offset into the text, `part` the
 * component the message is about (absent for the few errors about the URL as a whole).
 */
export type LdapUrlParseResult = { ok: true; url: LdapUrl } | { ok: false; message: string; position?: number; part?: LdapUrlPart };

/** The port each scheme uses when the URL names none. */
export const DEFAULT_PORTS = { ldap: 389, ldaps: 636 } as const;

const HOST_EXAMPLE = 'e.g. ldap://dir.example.com/ou=people,dc=example,dc=com';

class UrlError {
  constructor(
    readonly message: string,
    readonly position?: number,
    readonly part?: LdapUrlPart,
  ) {}
}

function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const groups = halves.flatMap(groupsOf);
  let count = groups.length;
  const last = groups[groups.length - 1];
  const lastOfText = halves.length === 2 && halves[1] === '' ? null : last;
  if (lastOfText !== null && lastOfText !== undefined && lastOfText.includes('.')) {
    if (!isIPv4(lastOfText)) return false;
    groups.pop();
    count += 1;
  }
  if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** A DNS name (RFC 1034 labels, "_" tolerated), optionally with the single trailing dot of a fully qualified name (RFC 3986 3.2.2). */
function isHostName(text: string): boolean {
  const name = text.length > 1 && text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length > 253) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/** How messages name each part of the query. */
const LABELS = { baseDn: 'Search base', attributes: 'Attributes', scope: 'Scope', filter: 'Filter', extensions: 'Extensions' } as const;
type QueryPart = keyof typeof LABELS;

/** Percent-decodes `raw` (found at `offset` in the URL) as UTF-8, with a map from decoded to URL offsets. */
function percentDecode(raw: string, offset: number, part: QueryPart): { text: string; map: number[] } {
  const field = LABELS[part];
  let text = '';
  const map: number[] = [];
  let k = 0;
  while (k < raw.length) {
    if (raw[k] !== '%') {
      text += raw[k];
      map.push(offset + k);
      k++;
      continue;
    }
    const runStart = k;
    const bytes: number[] = [];
    while (raw[k] === '%') {
      const pair = raw.slice(k + 1, k + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(pair)) {
        throw new UrlError(`${field}: invalid percent-encoding "${raw.slice(k, k + 3)}" at position ${offset + k}: write %25 for a literal "%"`, offset + k, part);
      }
      bytes.push(parseInt(pair, 16));
      k += 3;
    }
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes));
    } catch {
      throw new UrlError(`${field}: the percent-encoded bytes at position ${offset + runStart} are not valid UTF-8`, offset + runStart, part);
    }
    let at = offset + runStart;
    for (const ch of decoded) {
      text += ch;
      for (let unit = 0; unit < ch.length; unit++) map.push(at);
      at += 3 * new TextEncoder().encode(ch).length;
    }
  }
  map.push(offset + raw.length);
  return { text, map };
}

/**
 * Parses an LDAP URL. Refuses other schemes (incl. ldapi://), a missing host, user info,
 * bad ports and an invalid DN, attribute list, scope, filter or extension.
 */
export function parseLdapUrl(text: string): LdapUrlParseResult {
  try {
    return { ok: true, url: parseUrl(text) };
  } catch (error) {
    if (!(error instanceof UrlError)) throw error;
    return {
      ok: false,
      message: error.message,
      ...(error.position !== undefined && { position: error.position }),
      ...(error.part !== undefined && { part: error.part }),
    };
  }
}

function parseUrl(text: string): LdapUrl {
  let start = 0;
  let end = text.length;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (start === end) throw new UrlError(`Enter the server's URL, ${HOST_EXAMPLE}`, 0, 'url');
  // A raw NUL is never part of a URL (RFC 4516 2.1: it must be percent-encoded, and only extensions may hold one).
  const nul = text.indexOf('\0', start);
  if (nul !== -1 && nul < end) throw new UrlError(`The URL holds a NUL character at position ${nul}: remove it`, nul, 'url');
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text.slice(start, end));
  if (!schemeMatch) throw new UrlError(`Start the URL with ldap:// or ldaps://, ${HOST_EXAMPLE}`, start, 'scheme');
  const schemeName = schemeMatch[1].toLowerCase();
  if (schemeName !== 'ldap' && schemeName !== 'ldaps') {
    throw new UrlError(`Unsupported scheme "${schemeMatch[1]}://": only ldap:// and ldaps:// are supported`, start, 'scheme');
  }
  const scheme: LdapUrl['scheme'] = schemeName;
  let i = start + schemeMatch[0].length;
  if (text.slice(i, i + 2) !== '//') throw new UrlError(`Expected "//" after "${schemeMatch[0]}" at position ${i}, ${HOST_EXAMPLE}`, i, 'url');
  i += 2;

  const authorityStart = i;
  while (i < end && text[i] !== '/' && text[i] !== '?') i++;
  const authority = text.slice(authorityStart, i);
  const { host, port, portExplicit } = parseAuthority(authority, authorityStart, scheme);

  // Everything after the authority: "/dn?attrs?scope?filter?exts" (RFC 4516 needs the "/" before a "?").
  const restStart = text[i] === '/' ? i + 1 : i;
  const pieces = text.slice(restStart, end).split('?');
  const offsets: number[] = [];
  let at = restStart;
  for (const piece of pieces) {
    offsets.push(at);
    at += piece.length + 1;
  }
  if (pieces.length > 5) {
    const extra = offsets[5] - 1;
    throw new UrlError(`Too many "?" in the URL at position ${extra}: write a literal "?" in the search base or filter as %3F`, extra, 'url');
  }

  const dn = percentDecode(pieces[0], offsets[0], 'baseDn');
  const parsedDn = parseDn(dn.text, (index) => dn.map[index]);
  if (!parsedDn.ok) throw new UrlError(`Search base: ${parsedDn.message}`, parsedDn.position, 'baseDn');
  const baseDn = dn.text;

  const attributes = splitList(pieces[1] ?? '', offsets[1], 'attributes').map(({ value, position }) => {
    if (value === '*' || value === '+' || isAttributeDescription(value)) return value;
    throw new UrlError(`Attributes: "${value}" at position ${position} is not an attribute name`, position, 'attributes');
  });

  const scopeText = percentDecode(pieces[2] ?? '', offsets[2] ?? end, 'scope').text.toLowerCase();
  if (scopeText !== '' && scopeText !== 'base' && scopeText !== 'one' && scopeText !== 'sub') {
    throw new UrlError(`Scope: "${scopeText}" at position ${offsets[2]} is not base, one or sub`, offsets[2], 'scope');
  }
  const scope = scopeText === '' ? null : (scopeText as LdapUrl['scope']);

  let filter: string | null = null;
  if (pieces[3]) {
    const decoded = percentDecode(pieces[3], offsets[3], 'filter');
    const parsedFilter = parseFilter(decoded.text, (index) => decoded.map[index]);
    if (!parsedFilter.ok && pieces[4] !== undefined) {
      const question = offsets[4] - 1;
      throw new UrlError(`Filter: the "?" at position ${question} ends the filter part; write a literal "?" as %3F`, question, 'filter');
    }
    if (!parsedFilter.ok) throw new UrlError(`Filter: ${parsedFilter.message}`, parsedFilter.position, 'filter');
    filter = decoded.text;
  }

  // RFC 4516: extensions = extension *(COMMA extension), so a fourth "?" needs at least one.
  if (pieces[4] === '') {
    const question = offsets[4] - 1;
    throw new UrlError(`Extensions: nothing follows the "?" at position ${question}: remove that "?", or write an extension after it such as !StartTLS`, question, 'extensions');
  }
  const extensions = splitList(pieces[4] ?? '', offsets[4], 'extensions').map(({ value, position }) => checkExtension(value, position));

  return { scheme, host, port, portExplicit, baseDn, attributes, scope, filter, extensions };
}

/**
 * RFC 4516 `extension = [EXCLAMATION] extype [EQUALS exvalue]`, after percent-decoding: the type
 * is an RFC 4512 descriptor (a letter, then letters, digits, "-") or a numeric OID; the value is
 * any text, even with NULs (section 2.1 allows them in extensions, and only there).
 */
function checkExtension(value: string, position: number): string {
  const eq = value.indexOf('=');
  const type = (eq === -1 ? value : value.slice(0, eq)).replace(/^!/, '');
  if (EXTENSION_TYPE.test(type)) return value;
  const what = type === '' ? `the extension at position ${position} has no type` : `"${type.replace(/\0/g, '\\0')}" at position ${position} is not an extension type`;
  throw new UrlError(
    `Extensions: ${what}: start the extension with a name such as bindname (a letter, then letters, digits or "-") or a numeric OID such as 1.3.6.1.4.1.1466.20037, optionally after "!"`,
    position,
    'extensions',
  );
}

/** RFC 4512 `oid = descr / numericoid`. */
const EXTENSION_TYPE = /^(?:[A-Za-z][A-Za-z0-9-]*|(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+)$/;

function splitList(raw: string, offset: number | undefined, part: QueryPart): { value: string; position: number }[] {
  if (raw === '' || offset === undefined) return [];
  const field = LABELS[part];
  const items: { value: string; position: number }[] = [];
  let at = offset;
  for (const item of raw.split(',')) {
    const value = percentDecode(item, at, part).text;
    if (value === '') throw new UrlError(`${field}: empty entry at position ${at}: remove the extra ","`, at, part);
    items.push({ value, position: at });
    at += item.length + 1;
  }
  return items;
}

function parseAuthority(authority: string, offset: number, scheme: LdapUrl['scheme']): { host: string; port: number; portExplicit: boolean } {
  if (authority.includes('@')) {
    throw new UrlError(`Remove "${authority.slice(0, authority.lastIndexOf('@') + 1)}" from the URL: enter the bind name in the Bind DN field`, offset, 'host');
  }
  let host: string;
  let portText: string | null = null;
  let portOffset = offset;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw new UrlError(`Host: missing "]" after the IPv6 address starting at position ${offset}`, offset, 'host');
    host = authority.slice(1, close);
    if (!isIPv6(host)) throw new UrlError(`Host: "${host}" at position ${offset + 1} is not a valid IPv6 address`, offset + 1, 'host');
    const after = authority.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) {
      throw new UrlError(`Host: unexpected "${after[0]}" at position ${offset + close + 1} after the IPv6 address`, offset + close + 1, 'host');
    }
    if (after !== '') [portText, portOffset] = [after.slice(1), offset + close + 2];
  } else {
    const colons = authority.split(':').length - 1;
    if (colons > 1) throw new UrlError(`Host: put an IPv6 address in square brackets, e.g. ldap://[2001:db8::7]/dc=example,dc=com`, offset, 'host');
    const colon = authority.indexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    if (colon >= 0) [portText, portOffset] = [authority.slice(colon + 1), offset + colon + 1];
    if (host === '') throw new UrlError(`Enter the server's host name, ${HOST_EXAMPLE}`, offset, 'host');
    const bad = /[^A-Za-z0-9._-]/.exec(host);
    if (bad) throw new UrlError(`Host: unexpected "${bad[0]}" at position ${offset + bad.index} in the host name`, offset + bad.index, 'host');
    if (/^[0-9.]+$/.test(host) ? !isIPv4(host) : !isHostName(host)) {
      throw new UrlError(`Host: "${host}" at position ${offset} is not a valid host name or IPv4 address`, offset, 'host');
    }
  }
  if (portText === null) return { host: host.toLowerCase(), port: DEFAULT_PORTS[scheme], portExplicit: false };
  if (portText === '') throw new UrlError(`Port: enter a number after ":" at position ${portOffset}, or remove the ":" to use ${DEFAULT_PORTS[scheme]}`, portOffset, 'port');
  const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new UrlError(`Port: "${portText}" at position ${portOffset} is not a number between 1 and 65535`, portOffset, 'port');
  }
  return { host: host.toLowerCase(), port, portExplicit: true };
}

/** Characters kept as they are in the DN and filter parts (RFC 3986 pchar minus "%"). */
const KEEP = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

function percentEncode(text: string, alsoEncode: string): string {
  let out = '';
  for (const ch of text) {
    if (ch.length === 1 && KEEP.test(ch) && !alsoEncode.includes(ch)) out += ch;
    else for (const byte of new TextEncoder().encode(ch)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Builds the canonical URL text: lower-case scheme and scope, brackets around IPv6 hosts,
 * the port when explicit or not the default, percent-encoding where required
 * (`=` and `,` stay readable in the DN), and no trailing empty `?` parts.
 */
export function formatLdapUrl(url: LdapUrl): string {
  const host = url.host.includes(':') ? `[${url.host}]` : url.host;
  const port = url.portExplicit || url.port !== DEFAULT_PORTS[url.scheme] ? `:${url.port}` : '';
  const query = [
    url.attributes.map((a) => percentEncode(a, ',')).join(','),
    url.scope ?? '',
    url.filter === null ? '' : percentEncode(url.filter, ''),
    url.extensions.map((e) => percentEncode(e, ',')).join(','),
  ];
  while (query.length > 0 && query[query.length - 1] === '') query.pop();
  const tail = query.length > 0 ? `?${query.join('?')}` : '';
  return `${url.scheme}://${host}${port}/${percentEncode(url.baseDn, '')}${tail}`;
}
