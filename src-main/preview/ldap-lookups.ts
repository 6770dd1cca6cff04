import type { Client, Entry } from 'ldapts';
import type { RawEntry } from '../../src-shared/domain/preview';
import { AppError } from '../../src-shared/errors';
import { parseDn, type Rdn } from '../../src-shared/ldap/dn';
import { toLdapAppError } from '../ldap/ldap-errors';
import { toLdaptsFilter } from '../ldap/ldapts-filter';
import type { LdapTarget } from '../ldap/target';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../directory/binary-attributes';
import { toRawEntry } from './entry-values';
import { sortedNames } from '../directory/attribute-names';

/** How many entries the attribute-name sample looks at. */
export const NAME_SAMPLE_SIZE = 100;

/** True when `dn` is `base` or below it (compared RDN by RDN, types and values ignoring case). */
export function isWithinBase(dn: string, base: string): boolean {
  const d = parseDn(dn);
  const b = parseDn(base);
  if (!d.ok || !b.ok || d.rdns.length < b.rdns.length) return false;
  const rdnKey = (rdn: Rdn) =>
    rdn
      .map((a) => `${a.type.toLowerCase()}=${a.ber ? '#' : ''}${a.value.toLowerCase()}`)
      .sort()
      .join('+');
  const tail = d.rdns.slice(d.rdns.length - b.rdns.length);
  return tail.every((rdn, i) => rdnKey(rdn) === rdnKey(b.rdns[i]));
}

/**
 * The attribute names (no values: a types-only search) held by up to {@link NAME_SAMPLE_SIZE}
 * entries matching `filter`, so pickers and `entry.` completion know names the preview did not fetch.
 */
export async function sampleAttributeNames(client: Client, t: LdapTarget, filter: string): Promise<string[]> {
  try {
    const r = await client.search(t.baseDn, {
      scope: 'sub',
      filter: toLdaptsFilter(filter),
      attributes: ['*'],
      returnAttributeValues: false,
      sizeLimit: NAME_SAMPLE_SIZE,
    });
    return sortedNames(r.searchEntries.flatMap((e: Entry) => Object.keys(e).filter((k) => k !== 'dn' && k !== '*')));
  } catch (err) {
    throw toLdapAppError(err, 'search', t);
  }
}

/**
 * Every user and operational attribute (`*` and `+`) of one entry at or below the search base, as
 * the server returns it. Throws NOT_FOUND when the entry is outside the base or does not exist.
 */
export async function fetchRawEntry(client: Client, t: LdapTarget, dn: string): Promise<RawEntry> {
  if (!isWithinBase(dn, t.baseDn)) {
    throw new AppError('NOT_FOUND', `"${dn.slice(0, 300)}" is not below the search base "${t.baseDn}", so the preview does not read it.`);
  }
  try {
    const r = await client.search(dn, {
      scope: 'base',
      filter: toLdaptsFilter('(objectClass=*)'),
      attributes: ['*', '+'],
      explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES],
    });
    const entry = r.searchEntries[0];
    if (!entry) throw new AppError('NOT_FOUND', `The entry "${dn}" was not returned: it may have been deleted or moved.`);
    const raw = toRawEntry(entry);
    return { dn: raw.dn, attributes: raw.attributes.filter((a) => a.name !== '*' && a.name !== '+') };
  } catch (err) {
    const e = toLdapAppError(err, 'search', t);
    if (e.code === 'NO_SUCH_BASE') throw new AppError('NOT_FOUND', `The entry "${dn}" does not exist any more (it may have been deleted or moved).`);
    throw e;
  }
}
