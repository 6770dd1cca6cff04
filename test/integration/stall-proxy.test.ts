/** The rig's stalling proxy: it holds the directory's answers back at the chosen point, and only there. */
import { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSlapd, type Slapd } from '../rig/slapd';
import { startStallProxy, type StallProxy } from '../rig/stall-proxy';

let slapd: Slapd;
let proxy: StallProxy;

beforeAll(async () => {
  slapd = await startSlapd({ users: 300, logOps: false });
  proxy = await startStallProxy({ host: '127.0.0.1', port: Number(new URL(slapd.url).port) });
}, 60_000);
afterAll(async () => {
  await proxy?.close();
  await slapd?.stop();
});

/** Reads every page of 100 users through the proxy; the number of pages read so far is in `got`. */
async function readPages(got: { pages: number }): Promise<number> {
  const client = new Client({ url: proxy.url });
  try {
    await client.bind(slapd.syncDn, slapd.syncPw);
    let entries = 0;
    for await (const page of client.searchPaginated(slapd.baseDn, { filter: '(objectClass=inetOrgPerson)', attributes: ['uid'], paged: { pageSize: 100 } })) {
      entries += page.searchEntries.length;
      got.pages++;
    }
    return entries;
  } finally {
    await client.unbind().catch(() => {});
  }
}

it('forwards a whole paged search untouched', async () => {
  expect(await readPages({ pages: 0 })).toBeGreaterThanOrEqual(300);
});

it('holds the answers back after the chosen number of pages, keeping the connection open, until resumed', async () => {
  const got = { pages: 0 };
  proxy.stallAfterPages(1);
  const reading = readPages(got);
  await new Promise((r) => setTimeout(r, 500));
  expect(got.pages).toBe(1);
  expect(proxy.stalledAt).toBeGreaterThan(0);
  proxy.resume();
  expect(await reading).toBeGreaterThanOrEqual(300);
  expect(got.pages).toBeGreaterThanOrEqual(3);
});

it('stalls on command and after a number of bytes, cutting a message in two, and forwards the rest on resume', async () => {
  proxy.stallAfterBytes(10);
  const got = { pages: 0 };
  const reading = readPages(got);
  await new Promise((r) => setTimeout(r, 300));
  expect(got.pages).toBe(0);
  proxy.resume();
  expect(await reading).toBeGreaterThanOrEqual(300);
});
