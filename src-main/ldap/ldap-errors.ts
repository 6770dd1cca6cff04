import { ResultCodeError } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { adBindError, serverDiagnostic } from './ad-bind-errors';
import { directoryBindError } from './directory-bind-errors';
import type { DirectoryKind } from './directory-kind';
import { adminLimitError, sizeLimitError } from './limit-errors';
import { hostPort } from './host-port';
import type { LdapTarget } from './target';

/** What was being attempted when an error happened, for messages in directory terms. */
export type LdapPhase = 'connect' | 'tls' | 'starttls' | 'bind' | 'base' | 'search';

const PHASE_WORDS: Record<LdapPhase, string> = {
  connect: 'connecting',
  tls: 'the TLS handshake',
  starttls: 'StartTLS',
  bind: 'bind',
  base: 'reading the search base',
  search: 'the search',
};

/** Node's certificate verification failures, in admin words. */
const TLS_PROBLEMS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'it does not name this host (an IP address in the URL must be an IP SAN of the certificate)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'it was issued by an authority this computer does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was issued by an authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was issued by an authority this computer does not trust',
  UNABLE_TO_GET_ISSUER_CERT: 'it was issued by an authority this computer does not trust',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet (check the clocks)',
  CERT_REVOKED: 'it was revoked',
};

/** An error raised when our own deadline for an operation passed. */
export class DeadlineError extends Error {
  constructor(readonly phase: LdapPhase) {
    super('deadline');
  }
}

/**
 * Turns anything thrown while talking to a directory into an AppError whose message names the
 * cause in directory terms and suggests the fix. Never includes a password. `kind` (from the root
 * DSE, when read) narrows limit messages to the settings of the directory in use.
 */
export function toLdapAppError(err: unknown, phase: LdapPhase, t: LdapTarget, kind: DirectoryKind = null): AppError {
  if (err instanceof AppError) return err;
  const where = hostPort(t);
  const seconds = t.timeoutMs / 1000;
  if (err instanceof DeadlineError || (err instanceof Error && /timed out|timeout/i.test(err.message) && !(err instanceof ResultCodeError))) {
    return new AppError('TIMEOUT', `No response from ${where} within ${seconds} s during ${PHASE_WORDS[phase]}. Check that the server is up and not overloaded, or raise Timeout seconds.`);
  }
  if (err instanceof ResultCodeError) {
    const said = serverDiagnostic(err.message);
    const diag = said ? ` (server said: ${said})` : '';
    // A lock or an expiry named in the diagnostic, whatever the code (389-ds: 53 "Account inactivated").
    const named = phase === 'bind' ? directoryBindError(said, t.bindDn) : null;
    if (named && !adBindError(said, t.bindDn)) return named;
    switch (err.code) {
      case 49:
        // Active Directory names the reason in its diagnostic (disabled, locked, expired...).
        return adBindError(said, t.bindDn) ?? new AppError('INVALID_CREDENTIALS', `Invalid credentials: the directory rejected the bind as "${t.bindDn || '(anonymous)'}"${diag}. Check the bind DN and password. Under a password policy the account may also be locked after wrong passwords (OpenLDAP ppolicy: pwdAccountLockedTime; 389-ds: passwordRetryCount).`);
      case 32:
        return phase === 'base' || phase === 'search'
          ? new AppError('NO_SUCH_BASE', `The search base "${t.baseDn}" does not exist on ${where}, or the bind account cannot see it. Check the part of the URL after the host, or let the server suggest one: Detect search base in the app, or ldap-sync server detect-base.`)
          : new AppError('BIND_FAILED', `The bind DN "${t.bindDn}" does not exist on ${where}.`);
      case 4:
        return sizeLimitError(t.bindDn, kind);
      case 3:
        return new AppError('TIME_LIMIT', `The directory stopped the search early: time limit exceeded. Ask the directory administrator to raise the time limit for "${t.bindDn || 'anonymous'}", or narrow the search filter or base.`);
      case 11:
        return adminLimitError(t.bindDn, kind, diag);
      case 10:
        return new AppError('REFERRAL', `The directory answered with a referral to another server${diag} instead of the entries: the search base is not held by ${where}. Point the URL at the server (or Global Catalog, port 3268) that holds the base.`);
      case 9:
        return new AppError('PARTIAL_RESULTS', `The directory returned partial results${diag}: part of the search base is held by another server. Point the URL at a server (or Global Catalog) that holds the whole base.`);
      case 13:
      case 8:
        return new AppError('BIND_FAILED', `${where} requires an encrypted connection for this bind${diag}. Use ldaps:// or turn on StartTLS.`);
      case 50:
        return new AppError('LDAP_ERROR', `Insufficient access during ${PHASE_WORDS[phase]}${diag}. Give "${t.bindDn || 'anonymous'}" read access to the search base.`);
      case 2:
        if (phase === 'starttls') return new AppError('STARTTLS_FAILED', `${where} does not support StartTLS${diag}. Use ldaps:// or turn StartTLS off.`);
        return new AppError('LDAP_ERROR', `Protocol error during ${PHASE_WORDS[phase]}${diag}.`);
      default:
        return new AppError(phase === 'bind' ? 'BIND_FAILED' : 'LDAP_ERROR', `LDAP error ${err.code} during ${PHASE_WORDS[phase]}${diag}.`);
    }
  }
  const e = err as NodeJS.ErrnoException & { code?: string };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return new AppError('CONNECT_REFUSED', `Connection refused by ${where}. Is the LDAP server running, and is the port right?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new AppError('DNS_FAILED', `Cannot resolve the host name "${t.host}" (${e.code}). Check the host in the URL.`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return new AppError('CONNECT_FAILED', `Cannot reach ${where} (${e.code}). Check the host, the port and any firewall in between.`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new AppError('CONNECT_FAILED', `${where} closed the connection during ${PHASE_WORDS[phase]} (${e.code}). If the port expects TLS, use ldaps://; if it expects plain LDAP, use ldap://.`);
  }
  const message = e instanceof Error ? e.message.split('\n')[0] : String(err);
  const tlsProblem = typeof e?.code === 'string' ? TLS_PROBLEMS[e.code] : undefined;
  if (tlsProblem) {
    return new AppError('TLS_UNTRUSTED', `The certificate of ${where} was refused: ${tlsProblem} (${message}). No password was sent. Run the connection test (Test in the app, or ldap-sync server test NAME) to see the certificate and, if it is the right one, trust it.`);
  }
  if (/Connection closed|connection (was )?(reset|ended|lost)|socket hang up|ended by the other party|ECONNRESET|EPIPE|socket (closed|destroyed)/i.test(message)) {
    return new AppError('CONNECT_FAILED', `${where} closed the connection during ${PHASE_WORDS[phase]}. If the port expects TLS, use ldaps://; if it expects plain LDAP, use ldap://.`);
  }
  return new AppError('LDAP_ERROR', `Error during ${PHASE_WORDS[phase]} with ${where}: ${message}`);
}
