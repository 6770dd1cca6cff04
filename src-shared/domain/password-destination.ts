/**
 * Where a stored bind password may go: the server it was saved for. The destination is the TLS
 * mode (ldaps://, StartTLS or clear text), the host and the port of the URL, and the bind DN. A
 * change of any of them (ldaps:// -> ldap:// would send it in clear text; another port may be another
 * service) withholds the stored password from tests and previews of the changed form, and saving the
 * change clears it. Main (services/bind-password.ts) and the form (willClearPassword) share this rule.
 */
import { normalizeDn } from '../ldap/dn';
import { parseLdapUrl } from '../ldap/url';

/** What decides a password's destination, from a saved server or a form. */
export interface PasswordDestination {
  url: string;
  startTls: boolean;
  bindDn: string;
}

/** `ldaps|starttls|plain://host:port`, or null while the URL does not parse. */
function endpointOf(d: PasswordDestination): string | null {
  const p = parseLdapUrl(d.url.trim());
  if (!p.ok) return null;
  const mode = p.url.scheme === 'ldaps' ? 'ldaps' : d.startTls ? 'starttls' : 'plain';
  return `${mode}://${p.url.host.toLowerCase()}:${p.url.port}`;
}

function sameBindDn(a: string, b: string): boolean {
  const na = normalizeDn(a);
  const nb = normalizeDn(b);
  if (na !== null && nb !== null) return na.toLowerCase() === nb.toLowerCase();
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** True when a password stored for `saved` must not be sent for `draft`. */
export function passwordDestinationChanged(saved: PasswordDestination, draft: PasswordDestination): boolean {
  const before = endpointOf(saved);
  const after = endpointOf(draft);
  return before === null || after === null || before !== after || !sameBindDn(saved.bindDn, draft.bindDn);
}

/** The words for what changed, for messages: "the TLS mode", "the port", "the host", "the bind DN". */
export const DESTINATION_WORDS = 'the scheme, host, port, TLS mode or bind DN';
