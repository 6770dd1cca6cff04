import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { MAX_DIFFERENCES, SnapshotComparer } from '../../src-main/services/snapshot-compare';
import { VALUE_CHANGE_LIMITS } from '../../src-shared/domain/snapshot';

// "Compare with live" shows old -> new values of each changed attribute, bounded in size.

const e = (dn: string, attrs: Record<string, string[]>): DirectoryEntry => ({ dn, attributes: attrs });

function compare(before: DirectoryEntry[], live: DirectoryEntry[]) {
  const c = new SnapshotComparer();
  for (const x of before) c.addBefore(x);
  for (const x of live) c.addLive(x);
  return c.result();
}

describe('compare with live: old and new values', () => {
  it('gives the removed and the added values of a multi-valued attribute, leaving out the values that stayed', () => {
    const r = compare([e('uid=a,dc=x', { mail: ['a@x', 'keep@x'], sn: ['A'] })], [e('uid=a,dc=x', { mail: ['keep@x', 'new@x'], sn: ['A'] })]);
    expect(r.differences[0].values).toEqual([{ attribute: 'mail', before: ['a@x'], after: ['new@x'], more: 0 }]);
  });

  it('shows an attribute that appeared or disappeared with an empty side', () => {
    const r = compare([e('uid=a,dc=x', { title: ['Boss'] })], [e('uid=a,dc=x', { employeeType: ['admin'] })]);
    expect(r.differences[0].values).toEqual([
      { attribute: 'employeetype', before: [], after: ['admin'], more: 0 },
      { attribute: 'title', before: ['Boss'], after: [], more: 0 },
    ]);
  });

  it('cuts long values and many values, and counts what it left out', () => {
    const long = 'x'.repeat(VALUE_CHANGE_LIMITS.chars + 50);
    const many = Array.from({ length: VALUE_CHANGE_LIMITS.values + 3 }, (_, i) => `cn=g${i},dc=x`);
    const r = compare([e('uid=a,dc=x', { description: ['short'], memberOf: [] })], [e('uid=a,dc=x', { description: [long], memberOf: many })]);
    const [description, memberOf] = r.differences[0].values!;
    expect(description.after[0]).toBe(`${'x'.repeat(VALUE_CHANGE_LIMITS.chars)}…`);
    expect(memberOf.after).toHaveLength(VALUE_CHANGE_LIMITS.values);
    expect(memberOf.more).toBe(3);
  });

  it('lists values for no more than the first differences, while the counts cover them all', () => {
    const n = MAX_DIFFERENCES + 5;
    const before = Array.from({ length: n }, (_, i) => e(`uid=u${i},dc=x`, { sn: ['old'] }));
    const live = Array.from({ length: n }, (_, i) => e(`uid=u${i},dc=x`, { sn: ['new'] }));
    const r = compare(before, live);
    expect(r.changed).toBe(n);
    expect(r.differences).toHaveLength(MAX_DIFFERENCES);
    expect(r.differences.every((d) => d.values?.[0].before[0] === 'old')).toBe(true);
  });
});
