/**
 * Rule: a DN-only change. A matched user whose entry now has another DN (renamed, or moved to
 * another OU) keeps their account, and the plan says so (from the old DN to the new one) instead of
 * refreshing the DN silently. Applying it stores the new DN, nothing else (also when a held plan is
 * approved, which applies only its changes); it does not count toward
 * the hold limits: renames and reorganisations are ordinary directory work on the same users.
 */
import { formatDn, normalizeDn, parseDn } from '../../../src-shared/ldap/dn';
import type { Deciding, EntryFacts } from './entry-facts';
import { dnChangedReason } from './messages';

/** How a DN changed: its first RDN ('renamed'), its parent ('moved'), both. */
export type DnChange = 'renamed' | 'moved' | 'renamed and moved';

/** A DN in a form where spelling differences (case, spaces, escapes) compare equal. */
const dnKey = (dn: string) => (normalizeDn(dn) ?? dn).toLowerCase();

/** How the DN `from` became `to`, or null when both name the same entry (however spelled). */
export function dnChangeOf(from: string, to: string): DnChange | null {
  if (from === to || dnKey(from) === dnKey(to)) return null;
  const a = parseDn(from);
  const b = parseDn(to);
  if (!a.ok || !b.ok || a.rdns.length === 0 || b.rdns.length === 0) return 'renamed and moved';
  const renamed = dnKey(formatDn(a.rdns.slice(0, 1))) !== dnKey(formatDn(b.rdns.slice(0, 1)));
  const moved = dnKey(formatDn(a.rdns.slice(1))) !== dnKey(formatDn(b.rdns.slice(1)));
  return renamed && moved ? 'renamed and moved' : renamed ? 'renamed' : moved ? 'moved' : null;
}

/**
 * Plans the DN change of managed user `u`, matched by entry `f`: only for a user this server's
 * syncs saw before (a DN from another server or none is no rename, just the first sighting).
 */
export function decideDnChange(d: Deciding, f: EntryFacts, u: number): void {
  const { ctx, users, out } = d;
  const before = users.sourceDn[u];
  if (before === null || before === f.dn || users.sourceServerId[u] !== ctx.serverId) return;
  const how = dnChangeOf(before, f.dn);
  if (how === null) return;
  const userId = users.directoryId[u];
  const sameId = userId !== null && (f.directoryId === userId || f.otherDirectoryIds.includes(userId));
  out.counts.dnChanged++;
  const data = { kind: 'dn', dn: f.dn, directoryId: f.directoryId ?? users.directoryId[u] } as const;
  out.changes.push({ username: users.username[u], dn: f.dn, userId: users.id[u], action: 'dn', from: before, to: f.dn, reason: dnChangedReason(how, sameId), data, seq: out.changes.length });
}
