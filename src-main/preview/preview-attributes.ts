import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import { usedAttributes } from '../scripts/used-attributes';
import { sortedNames } from '../directory/attribute-names';

/**
 * The attributes a preview page fetches: the username attribute, the mapped ones and those the
 * scripts read; every user attribute ('*') only when the scripts read names that cannot be known
 * statically (`entry[x]`, `entry.all(name)` with a computed name...).
 */
export function attributesToFetch(usernameAttribute: string, mapping: AttributeMapping, scripts: ServerScripts): string[] | '*' {
  const used = usedAttributes(scripts);
  if (used.dynamic) return '*';
  const names = [usernameAttribute, mapping.email, mapping.firstName, mapping.lastName, ...used.names].map((n) => n.trim()).filter((n) => n !== '' && n.toLowerCase() !== 'dn');
  return sortedNames(names);
}
