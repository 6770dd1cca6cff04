import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'ldapts';
import { modrdnLdif, personLdif, startDirsrv, type Dirsrv } from '../rig/dirsrv';

let ds: Dirsrv;
beforeAll(async () => {
  ds = await startDirsrv();
}, 180_000);
afterAll(async () => {
  await ds?.stop();
});

async function search(filter: string, attributes: string[], account = ds.reader) {
  const c = new Client({ url: ds.ldapsUrl, tlsOptions: { ca: [ds.caPem] } });
  try {
    await c.bind(account.dn, account.password);
    const { searchEntries } = await c.search(ds.peopleDn, { filter, attributes, paged: { pageSize: 500 } });
    return searchEntries;
  } finally {
    await c.unbind();
  }
}

describe('the 389-ds rig', () => {
  it('serves its people over ldaps with a certificate for 127.0.0.1, with nsUniqueId and entryUUID', async () => {
    const [p] = await search('(uid=person00001)', ['uid', 'entryUUID', 'nsUniqueId', 'nsAccountLock']);
    expect(p!.uid).toBe('person00001');
    expect(String(p!.entryUUID)).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(p!.nsUniqueId)).toMatch(/^[0-9a-f]{8}-/);
  });

  it('lets the reader see every person (past the 2,000 size limit, paged) and the locks', async () => {
    const all = await search('(uid=person*)', ['uid', 'nsAccountLock']);
    expect(all).toHaveLength(ds.people);
    expect(all.filter((e) => String(e.nsAccountLock).toLowerCase() === 'true')).toHaveLength(Math.floor(ds.people / 250));
  });

  it('shows an account without a read ACI nothing, with success', async () => {
    expect(await search('(uid=*)', ['uid'], ds.noAci)).toEqual([]);
  });

  it('imports without entryUUID, and the fixup task gives it while nsUniqueId stays', async () => {
    await ds.reimport(personLdif({ uid: 'imported', cn: 'Im Ported', sn: 'Ported', mail: 'imported@example.test' }));
    const [before] = await search('(uid=imported)', ['entryUUID', 'nsUniqueId']);
    expect(before!.entryUUID).toEqual([]);
    await ds.modify(modrdnLdif(`uid=imported,${ds.peopleDn}`, 'uid=renamed'));
    await ds.fixupEntryUuid();
    const [after] = await search('(uid=renamed)', ['entryUUID', 'nsUniqueId']);
    expect(String(after!.entryUUID)).toMatch(/^[0-9a-f-]{36}$/);
    expect(after!.nsUniqueId).toEqual(before!.nsUniqueId);
  });
});
