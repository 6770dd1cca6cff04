import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { withDeadline } from './deadline';
import { toLdapAppError } from './ldap-errors';
import { serverUrl, type LdapTarget } from './target';
import { tlsOptionsFor } from './tls-options';

/**
 * A new ldapts client for a target: verified TLS, per-operation timeouts. Not yet connected.
 * `onSocket` sees every socket the client uses (the plain one, and the TLS one from ldaps:// or
 * after StartTLS), through ldapts's documented connection hooks: the sync's bulk reader searches
 * over it (see search-stream.ts).
 */
export function newClient(t: LdapTarget, onSocket?: (socket: Socket) => void): Client {
  return new Client({
    url: serverUrl(t),
    timeout: t.timeoutMs,
    connectTimeout: t.timeoutMs,
    tlsOptions: t.scheme === 'ldaps' ? tlsOptionsFor(t.host, t.trusted) : undefined,
    ...(onSocket
      ? {
          createConnection: ((...args: Parameters<typeof net.connect>) => {
            const s = net.connect(...args);
            onSocket(s);
            return s;
          }) as typeof net.connect,
          createSecureConnection: ((...args: Parameters<typeof tls.connect>) => {
            const s = tls.connect(...args);
            onSocket(s);
            return s;
          }) as typeof tls.connect,
        }
      : {}),
  });
}

/** Upgrades with StartTLS when the target asks for it. */
export async function startTlsIfNeeded(client: Client, t: LdapTarget, signal?: AbortSignal): Promise<void> {
  if (!t.startTls) return;
  try {
    await withDeadline(client.startTLS(tlsOptionsFor(t.host, t.trusted)), t.timeoutMs, 'starttls', signal, () => void client.unbind().catch(() => {}));
  } catch (err) {
    throw toLdapAppError(err, 'starttls', t);
  }
}

/**
 * Binds as the target's bind DN (or anonymously). `password` must be present for a non-anonymous
 * bind: an empty simple bind would silently become anonymous (RFC 4513 5.1.2).
 */
export async function bindClient(client: Client, t: LdapTarget, password: string | null, signal?: AbortSignal): Promise<void> {
  if (!t.bindAnonymously && !password) {
    throw new AppError('PASSWORD_REQUIRED', `Enter the bind password for "${t.bindDn}".`);
  }
  try {
    const dn = t.bindAnonymously ? '' : t.bindDn;
    await withDeadline(client.bind(dn, t.bindAnonymously ? '' : (password as string)), t.timeoutMs + 1000, 'bind', signal, () => void client.unbind().catch(() => {}));
  } catch (err) {
    throw toLdapAppError(err, 'bind', t);
  }
}

/** Closes a client, ignoring errors (the connection may already be gone). */
export async function closeClient(client: Client): Promise<void> {
  try {
    await client.unbind();
  } catch {
    // already closed
  }
}
