import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { SnapshotComparer } from '../../src-main/services/snapshot-compare';

// snapshot compare matches entries by directory ID (then by DN), on a few entries (no directory).

const e = (dn: string, attrs: Record<string, string[]>, uuid?: string): DirectoryEntry => ({ dn, attributes: uuid ? { ...attrs, entryUUID: [uuid] } : attrs });

function compare(before: DirectoryEntry[], live: DirectoryEntry[]) {
  const c = new SnapshotComparer();
  for (const x of before) c.addBefore(x);
  for (const x of live) c.addLive(x);
  return c.result();
}

describe('snapshot compare', () => {
  it('shows an entry renamed or moved since the snapshot as renamed (old and new DN), not as removed and added', () => {
    const r = compare(
      [e('uid=ann,ou=people,dc=x', { uid: ['ann'] }, 'u-1'), e('uid=bob,ou=people,dc=x', { uid: ['bob'], sn: ['B'] }, 'u-2')],
      [e('uid=anne,ou=people,dc=x', { uid: ['anne'] }, 'u-1'), e('uid=bob,ou=staff,dc=x', { uid: ['bob'], sn: ['B'] }, 'u-2')],
    );
    expect(r).toMatchObject({ added: 0, removed: 0, changed: 0, renamed: 2, unchanged: 0, matchedBy: 'entryUUID' });
    expect(r.differences).toEqual([
      { dn: 'uid=anne,ou=people,dc=x', kind: 'renamed', attributes: ['uid'], fromDn: 'uid=ann,ou=people,dc=x', values: [{ attribute: 'uid', before: ['ann'], after: ['anne'], more: 0 }] },
      { dn: 'uid=bob,ou=staff,dc=x', kind: 'renamed', attributes: [], fromDn: 'uid=bob,ou=people,dc=x', values: [] },
    ]);
  });

  it('shows an entry deleted and re-created under the same DN (a new directory ID) as removed and added', () => {
    const r = compare([e('uid=ann,dc=x', { uid: ['ann'] }, 'u-1')], [e('uid=ann,dc=x', { uid: ['ann'] }, 'u-9')]);
    expect(r).toMatchObject({ added: 1, removed: 1, changed: 0, renamed: 0, unchanged: 0 });
    expect(r.differences.map((d) => d.kind)).toEqual(['added', 'removed']);
  });

  it('matches by DN, ignoring its spelling, where the snapshot has no directory IDs, and never compares the IDs as attributes', () => {
    const r = compare([e('UID=Ann, DC=x', { uid: ['ann'], mail: ['a@x'] })], [e('uid=Ann,dc=x', { uid: ['ann'], mail: ['b@x'] }, 'u-1')]);
    expect(r).toMatchObject({ changed: 1, renamed: 0, matchedBy: null });
    expect(r.differences).toEqual([{ dn: 'uid=Ann,dc=x', kind: 'changed', attributes: ['mail'], values: [{ attribute: 'mail', before: ['a@x'], after: ['b@x'], more: 0 }] }]);
  });

  it('matches objectGUID given as bytes (base64) in both, as the sync does', () => {
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex').toString('base64');
    const ad = (dn: string) => ({ dn, attributes: { sAMAccountName: ['ann'], objectGUID: [guid] }, binary: ['objectGUID'] });
    const r = compare([ad('CN=Ann,OU=Sales,DC=samdom,DC=test')], [ad('CN=Ann,OU=Staff,DC=samdom,DC=test')]);
    expect(r).toMatchObject({ renamed: 1, matchedBy: 'objectGUID' });
  });
});
