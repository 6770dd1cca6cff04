import {
  AndFilter,
  ApproximateFilter,
  EqualityFilter,
  ExtensibleFilter,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
  type Filter,
} from 'ldapts';
import { AppError } from '../../src-shared/errors';
import { parseFilter, type FilterNode } from '../../src-shared/ldap/filter';

/** Bytes of a parsed value: UTF-8, except U+DC80..U+DCFF which stand for raw non-UTF-8 bytes. */
function valueBytes(value: string): Buffer | string {
  if (!/[\udc80-\udcff]/.test(value)) return value;
  const parts: Buffer[] = [];
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    parts.push(cp >= 0xdc80 && cp <= 0xdcff ? Buffer.from([cp - 0xdc00]) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

function convert(node: FilterNode): Filter {
  switch (node.kind) {
    case 'and':
      return new AndFilter({ filters: node.filters.map(convert) });
    case 'or':
      return new OrFilter({ filters: node.filters.map(convert) });
    case 'not':
      return new NotFilter({ filter: convert(node.filter) });
    case 'equality':
      return new EqualityFilter({ attribute: node.attribute, value: valueBytes(node.value) });
    case 'present':
      return new PresenceFilter({ attribute: node.attribute });
    case 'substrings':
      return new SubstringFilter({ attribute: node.attribute, initial: node.initial ?? '', any: node.any, final: node.final ?? '' });
    case 'greaterOrEqual':
      return new GreaterThanEqualsFilter({ attribute: node.attribute, value: node.value });
    case 'lessOrEqual':
      return new LessThanEqualsFilter({ attribute: node.attribute, value: node.value });
    case 'approx':
      return new ApproximateFilter({ attribute: node.attribute, value: node.value });
    case 'extensible':
      return new ExtensibleFilter({ matchType: node.attribute ?? undefined, rule: node.matchingRule ?? undefined, value: node.value, dnAttributes: node.dnAttributes });
  }
}

/**
 * Turns filter text into ldapts filter objects using our RFC 4515 parser, so escaped UTF-8 bytes,
 * binary values, numeric OIDs and attribute options reach the server exactly as written (ldapts's
 * own string parser mangles some of them).
 */
export function toLdaptsFilter(text: string): Filter {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new AppError('INVALID_INPUT', `Search filter: ${parsed.message}`, [{ path: 'searchFilter', message: parsed.message }]);
  return convert(parsed.filter);
}
