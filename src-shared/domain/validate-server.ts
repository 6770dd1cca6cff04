/**
 * Semantic checks of a server form (URL, bind DN, search filter, ...), shared by the renderer
 * (messages under each field) and main (refusing bad input). Pure code.
 */
import type { FieldIssue } from '../errors';
import { parseDn } from '../ldap/dn';
import { analyzeSearchFilter } from '../ldap/filter';
import { parseLdapUrl } from '../ldap/url';
import { AttributeMapping, SCRIPT_LABELS } from './mapping';
import type { ServerDraft } from './server';

/** The message for a blank Active script. */
export const ACTIVE_SCRIPT_REQUIRED = 'The Active script is required; the default is function(entry) { return true; }';

const MAPPING_FIELDS = { email: 'Email', firstName: 'First name', lastName: 'Last name' } as const;

/** Problems of the attribute mapping, by path `mapping.email` etc. An empty name means "not mapped". */
function mappingIssues(mapping: ServerDraft['mapping']): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(MAPPING_FIELDS) as (keyof typeof MAPPING_FIELDS)[]) {
    const value = mapping[key];
    if (typeof value !== 'string') {
      issues.push({ path: `mapping.${key}`, message: `${MAPPING_FIELDS[key]}: enter an attribute name such as ${key === 'email' ? 'mail' : key}` });
      continue;
    }
    const text = value.trim();
    if (text === '' || AttributeMapping.shape[key].safeParse(text).success) continue;
    issues.push({
      path: `mapping.${key}`,
      message: `${MAPPING_FIELDS[key]}: "${text.slice(0, 60)}" is not an attribute name; use a name such as mail or givenName (letters, digits and "-", options such as ;lang-en allowed)`,
    });
  }
  return issues;
}

/** Problems of the scripts that need no JavaScript engine: the Active script must not be blank. */
function scriptIssues(scripts: ServerDraft['scripts']): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (typeof scripts.active !== 'string' || scripts.active.trim() === '') issues.push({ path: 'scripts.active', message: ACTIVE_SCRIPT_REQUIRED });
  for (const key of ['orgName', 'roleName'] as const) {
    const v = scripts[key];
    if (v !== null && typeof v !== 'string') issues.push({ path: `scripts.${key}`, message: `The ${SCRIPT_LABELS[key]} script must be text, or null for none` });
  }
  return issues;
}

/** The longest server name accepted (after trimming). */
export const MAX_SERVER_NAME = 200;

const BASE_EXAMPLE = 'e.g. ldap://dir.example.com/ou=people,dc=example,dc=com';
/** Active Directory user principal name, e.g. `jsmith@EXAMPLE.COM`. */
const UPN = /^[^\s@\\=,]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
/** Active Directory down-level logon name, e.g. `EXAMPLE\jsmith`. */
const DOWN_LEVEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}\\[^\\/"[\]:;|=,+*?<>@]+$/;

const REMOVE_QUERY = 'Remove the "?..." part after the search base: the filter goes in the Search filter field, and attributes, scope and extensions are not used';
/** URL parts a server never uses: a problem there is fixed by removing the part, not by correcting it. */
const UNUSED_PARTS = new Set(['attributes', 'scope', 'filter', 'extensions']);

function checkUrl(draft: ServerDraft): string | null {
  const parsed = parseLdapUrl(draft.url);
  if (!parsed.ok) return parsed.part !== undefined && UNUSED_PARTS.has(parsed.part) ? `${REMOVE_QUERY} (${parsed.message})` : parsed.message;
  const { url } = parsed;
  const base = parseDn(url.baseDn);
  if (base.ok && base.rdns.length === 0) return `Add the search base after the host, ${BASE_EXAMPLE}`;
  if (url.attributes.length > 0 || url.scope !== null || url.filter !== null || url.extensions.length > 0) return REMOVE_QUERY;
  return null;
}

/**
 * Checks a bind name: an RFC 4514 DN, or (Active Directory accepts these as bind names)
 * a user principal name `user@REALM` or a down-level name `DOMAIN\user`.
 */
function checkBindDn(bindDn: string): string | null {
  const text = bindDn.trim();
  if (text === '') return 'Enter the bind DN, e.g. cn=admin,dc=example,dc=com, or choose anonymous bind';
  if (!text.includes('=')) {
    if (UPN.test(text) || DOWN_LEVEL.test(text)) return null;
    return `"${text}" is not a DN: enter e.g. cn=admin,dc=example,dc=com (Active Directory also accepts admin@example.com or EXAMPLE\\admin)`;
  }
  const parsed = parseDn(text);
  return parsed.ok ? null : parsed.message;
}

/**
 * Returns the problems of a server draft, one per field at most, by field path:
 * `name`, `url`, `startTls`, `bindDn` (skipped for anonymous binds), `searchFilter`, `timeoutSeconds`, `pageSize`,
 * `mapping.email|firstName|lastName` (attribute names; empty = not mapped) and `scripts.active` (not blank).
 * The URL must name a host and a non-empty search base and hold no `?attrs?scope?filter` part.
 * Script syntax is checked in main (it needs the script engine).
 */
export function validateServerDraft(draft: ServerDraft): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (path: string, message: string | null): void => {
    if (message !== null) issues.push({ path, message });
  };
  const name = draft.name.trim();
  if (name === '') add('name', 'Enter a name for this server');
  else if (name.length > MAX_SERVER_NAME) add('name', `Keep the name to ${MAX_SERVER_NAME} characters or fewer (now ${name.length})`);

  add('url', checkUrl(draft));
  if (draft.startTls && /^\s*ldaps:/i.test(draft.url)) add('startTls', 'StartTLS applies to ldap:// only; ldaps:// is already encrypted');
  // An offline server never connects: its URL only carries the search base, and it binds as nobody.
  if (!draft.bindAnonymously && !draft.offline) add('bindDn', checkBindDn(draft.bindDn));
  if (draft.offline && !draft.snapshotId) add('snapshotId', 'An offline server needs a snapshot as its source: import an LDIF file or capture one first');

  if (draft.searchFilter.trim() === '') {
    add('searchFilter', 'Enter a search filter, e.g. (&(objectClass=inetOrgPerson)(uid=?))');
  } else {
    const filter = analyzeSearchFilter(draft.searchFilter);
    if (!filter.ok) add('searchFilter', filter.message);
  }

  const t = draft.timeoutSeconds;
  if (!Number.isInteger(t) || t < 1 || t > 3600) add('timeoutSeconds', 'Enter a whole number of seconds from 1 to 3600');
  const p = draft.pageSize;
  if (p !== undefined && (!Number.isInteger(p) || p < 10 || p > 5000)) add('pageSize', 'Enter a page size from 10 to 5000 entries (default 1000)');
  if (draft.mapping) issues.push(...mappingIssues(draft.mapping));
  if (draft.scripts) issues.push(...scriptIssues(draft.scripts));
  return issues;
}

/** The attribute of the filter's `(attr=?)` placeholder (e.g. `uid`), or null when the filter breaks the rule. */
export function usernameAttributeOf(filterText: string): string | null {
  const analysis = analyzeSearchFilter(filterText);
  return analysis.ok ? analysis.usernameAttribute : null;
}
