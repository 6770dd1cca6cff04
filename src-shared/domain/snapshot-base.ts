/**
 * Whether a snapshot can stand in for a server's search: a snapshot holds the entries below the
 * base it was captured at, and a preview over it keeps those at or below the server's search base.
 * When neither base is at or below the other, the preview would find nothing: the picker says so
 * instead of showing "0 entries" with no reason.
 */
import { normalizeDn } from '../ldap/dn';

/** 'fits': one base is at or below the other; 'other': disjoint trees; 'unknown': no base to compare (an LDIF import, or the root). */
export type SnapshotBaseFit = 'fits' | 'other' | 'unknown';

const key = (dn: string) => (normalizeDn(dn) ?? dn).toLowerCase();
const atOrBelow = (a: string, b: string) => a === b || a.endsWith(`,${b}`);

/** How a snapshot captured at `snapshotBase` fits a server searching below `serverBase`. */
export function snapshotBaseFit(snapshotBase: string | null, serverBase: string): SnapshotBaseFit {
  if (snapshotBase === null || snapshotBase.trim() === '' || serverBase.trim() === '') return 'unknown';
  const s = key(snapshotBase);
  const b = key(serverBase);
  return atOrBelow(b, s) || atOrBelow(s, b) ? 'fits' : 'other';
}
