/**
 * Ranged attributes on the preview's ldapts connection: an entry whose page came back with
 * `member;range=0-1499` (Active Directory, more than 1,500 values) gets its other ranges with
 * base-scope searches on the same client, so that a preview script sees one `member`, as a sync
 * does (the sync's read completes them in the read worker: ldap/strict-read.ts).
 */
import type { Client } from 'ldapts';
import { AppError } from '../../src-shared/errors';
import type { DirectoryEntry } from '../directory/entry';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../directory/binary-attributes';
import { completeRanges, hasRangedAttribute, RangeProblem, type FetchedAttribute } from '../ldap/ranged-attributes';
import { toEntryInput } from './entry-values';

/** One base-scope search of `dn` for `attributes`, as the attributes the entry came back with. */
async function lookup(client: Client, dn: string, attributes: string[]): Promise<FetchedAttribute[]> {
  const r = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes, explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES] });
  const found = r.searchEntries[0];
  if (!found) return [];
  const entry = toEntryInput(found);
  const binary = new Set(entry.binary ?? []);
  return Object.entries(entry.attributes).map(([name, values]) => ({ name, values, binary: binary.has(name) }));
}

/** Completes, in place, every entry of a preview page that has ranged attributes. */
export async function completePreviewRanges(client: Client, entries: DirectoryEntry[]): Promise<void> {
  for (const e of entries) {
    if (!hasRangedAttribute(e)) continue;
    try {
      await completeRanges(e, (dn, attributes) => lookup(client, dn, attributes));
    } catch (err) {
      if (err instanceof RangeProblem) throw new AppError('PARTIAL_RESULTS', `The directory's ranged values do not fit together: ${err.message}. Show the page again; if it persists, report it with this message.`);
      throw err;
    }
  }
}
