/**
 * How a target's server is named in messages, apart from target.ts: the read worker needs these,
 * and target.ts validates drafts (which loads zod, ~50 ms at the worker's start).
 */
import type { LdapTarget } from './target';

/** `host:port` with IPv6 hosts bracketed, as shown in messages. */
export function hostPort(t: Pick<LdapTarget, 'host' | 'port'>): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** The server's URL without the search base, e.g. `ldaps://dir.example.com:636`. */
export function serverUrl(t: Pick<LdapTarget, 'scheme' | 'host' | 'port'>): string {
  return `${t.scheme}://${hostPort(t)}`;
}
