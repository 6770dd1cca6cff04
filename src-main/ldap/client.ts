import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { withDeadline } from './deadline';
import { toLdapAppError } from './ldap-errors';
import { serverUrl } from './host-port';
import type { LdapTarget } from './target';
import { tlsOptionsFor } from './tls-options';

/**
 * A new ldapts client for a target: verified TLS, per-operation timeouts. Not yet connected.
 * `onSocket` sees every socket the client uses (the plain one, and the TLS one from ldaps:// or
 * after StartTLS), through ldapts's documented connection hooks: the sync's bulk reader searches
 * over it (see search-stream.ts).
 */
function newClient(t: LdapTarget, onSocket?: (socket: Socket) => void): Client {
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
async function startTlsIfNeeded(client: Client, t: LdapTarget, signal?: AbortSignal): Promise<void> {
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
async function bindClient(client: Client, t: LdapTarget, password: string | null, signal?: AbortSignal): Promise<void> {
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

/** Options of {@link connect}. */
export interface ConnectOptions {
  signal?: AbortSignal;
  /** Sees every socket the client uses (see {@link newClient}). */
  onSocket?: (socket: Socket) => void;
}

/**
 * The connection preamble every reader shares: a new client for the target (verified TLS),
 * StartTLS when asked, then the bind. Resolves with the bound client; on any failure the client is
 * closed and the error is an AppError naming the cause (CANCELLED when the signal fired).
 * The password goes to the bind and nowhere else.
 */
export async function connect(t: LdapTarget, password: string | null, o: ConnectOptions = {}): Promise<Client> {
  const client = newClient(t, o.onSocket);
  try {
    await startTlsIfNeeded(client, t, o.signal);
    await bindClient(client, t, password, o.signal);
    return client;
  } catch (err) {
    await closeClient(client);
    throw err;
  }
}
