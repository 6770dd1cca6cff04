import { serverPartOf, type BaseDetection } from '../../src-shared/domain/base-detection';
import { DEFAULT_TIMEOUT_SECONDS, type PasswordInput, type ServerDraft } from '../../src-shared/domain/server';
import { parseLdapUrl } from '../../src-shared/ldap/url';
import { AppError } from '../../src-shared/errors';
import { detectBase } from '../ldap/detect-base';
import type { LdapTarget } from '../ldap/target';
import type { ServerService } from './servers-service';

/** Options of {@link detectBaseForDraft}: the form values, the password input as for a test, and a cancel signal. */
export interface DetectBaseOptions {
  serverId?: string;
  draft: ServerDraft;
  password: PasswordInput;
  signal?: AbortSignal;
}

/**
 * The connection part of a draft as a target, checking only what a rootDSE read needs: the URL may
 * have no search base yet (that is what is being detected), and the filter is not used.
 */
export function detectionTarget(draft: ServerDraft): LdapTarget {
  // Only the scheme, host and port: the base is what is being detected, and may be half-typed.
  const parsed = parseLdapUrl(serverPartOf(draft.url));
  if (!parsed.ok) throw new AppError('INVALID_INPUT', `Fix the URL first: ${parsed.message}`, [{ path: 'url', message: parsed.message }]);
  const u = parsed.url;
  const seconds = Number.isInteger(draft.timeoutSeconds) && draft.timeoutSeconds > 0 ? draft.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  const bindDn = draft.bindDn.trim();
  return {
    scheme: u.scheme,
    host: u.host,
    port: u.port,
    baseDn: '',
    startTls: draft.startTls && u.scheme === 'ldap',
    bindAnonymously: draft.bindAnonymously || bindDn === '',
    bindDn,
    searchFilter: '(objectClass=*)',
    usernameAttribute: '',
    timeoutMs: seconds * 1000,
    trusted: draft.trustedCertificates,
  };
}

/**
 * Detects the search base of a (possibly unsaved) server from its rootDSE. Binds as the form says
 * when its password is at hand (typed, referenced, or stored under the doctor's rules); otherwise
 * reads the rootDSE anonymously, which Active Directory and OpenLDAP allow by default.
 */
export async function detectBaseForDraft(servers: ServerService, opts: DetectBaseOptions): Promise<BaseDetection> {
  const target = detectionTarget(opts.draft);
  let password: string | null = null;
  if (!target.bindAnonymously) {
    try {
      password = await servers.passwordForDraft({ serverId: opts.serverId, draft: opts.draft, password: opts.password });
    } catch (err) {
      // No password yet: the rootDSE is readable without one. Anything else (an unknown server) stands.
      if (!(err instanceof AppError) || !['PASSWORD_REQUIRED', 'SECRET_UNAVAILABLE'].includes(err.code)) throw err;
    }
  }
  return detectBase(target, password, opts.draft.url, opts.signal);
}
