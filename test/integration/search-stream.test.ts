/**
 * The sync's bulk reader (src-main/ldap/search-stream.ts, run in the read worker by readDirectory)
 * against a real slapd, compared with ldapts's own paged search + toEntryInput on the same entries: generated users,
 * the hand-made extras (binary photos, several values, non-ASCII), a 300 KB entry whose message
 * spans many socket reads, and a value that is not UTF-8 (read as the rootdn). Page sizes of 1, 7
 * and 1000; ldaps:// and StartTLS connections too. Then the worker's own duties: the same entries
 * as a read on the calling thread, errors that read as before without the password, a promise from
 * onPage awaited, cancel within a second.
 */
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { toLdaptsFilter } from '../../src-main/ldap/ldapts-filter';
import { targetFromDraft, type LdapTarget } from '../../src-main/ldap/target';
import { EXPLICIT_BUFFER_ATTRIBUTES } from '../../src-main/directory/binary-attributes';
import { toEntryInput } from '../../src-main/preview/entry-values';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { AppError } from '../../src-shared/errors';
import { readDirectory } from '../../src-main/ldap/reader';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

let slapd: Slapd;
const BIG_PHOTO = Buffer.alloc(300_000, 0);
const NOT_UTF8 = Buffer.from([0x70, 0x77, 0xff, 0xfe, 0x00, 0x80]);

beforeAll(async () => {
  slapd = await startSlapd({ users: 40, extras: true, logOps: false });
  for (let i = 0; i < BIG_PHOTO.length; i++) BIG_PHOTO[i] = (i * 7919) & 0xff;
  const big = [
    `dn: uid=big,${slapd.baseDn}`,
    'objectClass: inetOrgPerson',
    'uid: big',
    'cn: Björn Big',
    'sn: Big',
    `description: ${'Ünïcødé text that goes on. '.repeat(2000)}`,
    `jpegPhoto:: ${BIG_PHOTO.toString('base64')}`,
    `userPassword:: ${NOT_UTF8.toString('base64')}`,
  ].join('\n');
  await run('ldapadd', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: `${big}\n\n` });
}, 120_000);

afterAll(async () => {
  await slapd?.stop();
});

function target(o: { url?: string; bindDn?: string; startTls?: boolean; base?: string }): LdapTarget {
  const trustedCertificates = [parseTrustedPem(slapd.pki.caCertPem, 'ca')];
  return targetFromDraft({ ...emptyServerDraft(), name: 'T', url: `${o.url ?? slapd.url}/${o.base ?? slapd.suffix}`, bindDn: o.bindDn ?? slapd.syncDn, timeoutSeconds: 20, startTls: o.startTls ?? false, trustedCertificates });
}

async function ours(t: LdapTarget, password: string, attributes: string[], pageSize: number): Promise<{ entries: DirectoryEntry[]; pages: number }> {
  const entries: DirectoryEntry[] = [];
  const r = await readDirectory({ target: t, password, attributes, pageSize, onPage: (page) => void entries.push(...page) });
  expect(r.entries).toBe(entries.length);
  return { entries, pages: r.pages };
}

async function reference(t: LdapTarget, password: string, attributes: string[]): Promise<DirectoryEntry[]> {
  const client = new Client({ url: `ldap://${t.host}:${t.port}`, timeout: 20_000 });
  try {
    await client.bind(t.bindDn, password);
    const out: DirectoryEntry[] = [];
    for await (const page of client.searchPaginated(t.baseDn, { scope: 'sub', filter: toLdaptsFilter(matchAllFilter(t.searchFilter)), attributes, explicitBufferAttributes: [...EXPLICIT_BUFFER_ATTRIBUTES], paged: { pageSize: 500 } })) {
      out.push(...page.searchEntries.map(toEntryInput));
    }
    return out;
  } finally {
    await client.unbind().catch(() => {});
  }
}


describe('the bulk reader', () => {
  it('returns exactly what ldapts returns, at page sizes 1, 7 and 1000', async () => {
    const t = target({});
    const attributes = ['*', 'entryUUID'];
    const expected = await reference(t, slapd.syncPw, attributes);
    expect(expected.length).toBeGreaterThan(40);
    for (const pageSize of [1, 7, 1000]) {
      const got = await ours(t, slapd.syncPw, attributes, pageSize);
      expect(got.entries).toEqual(expected);
      expect(got.pages).toBe(Math.ceil(expected.length / pageSize));
    }
  }, 60_000);

  it('decodes a 300 KB entry spread over many socket reads, and names its binary attributes', async () => {
    const t = target({});
    const { entries } = await ours(t, slapd.syncPw, ['*'], 3);
    const big = entries.find((e) => e.dn.startsWith('uid=big,'))!;
    expect(big.attributes.jpegPhoto).toEqual([BIG_PHOTO.toString('base64')]);
    expect(big.attributes.description[0]).toMatch(/^Ünïcødé text/);
    expect(big.binary).toEqual(['jpegPhoto']);
    // The extras' photos: a JPEG (not UTF-8) and a GIF that happens to be valid UTF-8, both binary.
    expect(entries.filter((e) => e.binary?.includes('jpegPhoto')).length).toBe(3);
  }, 60_000);

  it('gives a value that is not UTF-8 as base64 (userPassword, read as the rootdn)', async () => {
    const t = target({ bindDn: slapd.rootDn });
    const attributes = ['uid', 'userPassword'];
    const { entries } = await ours(t, slapd.rootPw, attributes, 1000);
    const big = entries.find((e) => e.dn.startsWith('uid=big,'))!;
    expect(big.attributes.userPassword).toEqual([NOT_UTF8.toString('base64')]);
    expect(big.binary).toEqual(['userPassword']);
    expect(entries).toEqual(await reference(t, slapd.rootPw, attributes));
  }, 60_000);

  it('reads the same over ldaps:// and StartTLS', async () => {
    const plain = ((await ours(target({}), slapd.syncPw, ['uid', 'mail'], 50)).entries);
    const tlsTarget = target({ url: slapd.ldapsUrl });
    expect(((await ours(tlsTarget, slapd.syncPw, ['uid', 'mail'], 50)).entries)).toEqual(plain);
    const startTls = target({ startTls: true });
    expect(((await ours(startTls, slapd.syncPw, ['uid', 'mail'], 50)).entries)).toEqual(plain);
  }, 60_000);
});

describe('the read worker', () => {
  it('gives the same entries and pages as a read on the calling thread', async () => {
    const t = target({});
    const attributes = ['*', 'entryUUID'];
    const got = await ours(t, slapd.syncPw, attributes, 7);
    const inThread: DirectoryEntry[] = [];
    const r = await readDirectory({ target: t, password: slapd.syncPw, attributes, pageSize: 7, inThread: true, onPage: (page) => void inThread.push(...page) });
    expect(got.entries).toEqual(inThread);
    expect(got.pages).toBe(r.pages);
  }, 60_000);

  it('fails a wrong password with INVALID_CREDENTIALS, and the password appears nowhere in the error', async () => {
    const wrong = 'Wr0ng-Secret-Horse';
    const err = await readDirectory({ target: target({}), password: wrong, attributes: ['uid'], onPage: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INVALID_CREDENTIALS');
    expect((err as AppError).message).toMatch(/rejected the bind as "cn=/);
    expect(JSON.stringify(err) + String((err as Error).stack)).not.toContain(wrong);
  }, 60_000);

  it('fails an untrusted certificate with the same error as a read on the calling thread (ldaps without the rig CA)', async () => {
    const t = { ...target({ url: slapd.ldapsUrl }), trusted: [] };
    const fail = (inThread: boolean) => readDirectory({ target: t, password: slapd.syncPw, attributes: ['uid'], inThread, onPage: () => {} }).then(() => null, (e: AppError) => ({ code: e.code, message: e.message }));
    const worker = await fail(false);
    expect(worker?.code).not.toBe('INTERNAL');
    expect(worker).toEqual(await fail(true));
  }, 60_000);

  it('awaits a promise from onPage before handing over the next page', async () => {
    let running = 0;
    let overlapped = false;
    let pages = 0;
    await readDirectory({
      target: target({}),
      password: slapd.syncPw,
      attributes: ['uid'],
      pageSize: 5,
      onPage: async () => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 5));
        running--;
        pages++;
      },
    });
    expect(pages).toBeGreaterThan(5);
    expect(overlapped).toBe(false);
  }, 60_000);

  it('with overlap, hands over the next page while one is processed, never a third, and every entry once in order', async () => {
    let running = 0;
    let most = 0;
    const seen: string[] = [];
    const r = await readDirectory({
      target: target({}),
      password: slapd.syncPw,
      attributes: ['uid'],
      pageSize: 5,
      overlap: true,
      onPage: async (page) => {
        seen.push(...page.map((e) => e.dn));
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
    });
    expect(most).toBe(2);
    const ordered = await ours(target({}), slapd.syncPw, ['uid'], 5);
    expect(seen).toEqual(ordered.entries.map((e) => e.dn));
    expect(r.entries).toBe(seen.length);
  }, 60_000);

  it('with overlap, fails the read when a page fails while the next is being handed over', async () => {
    let calls = 0;
    const err = await readDirectory({
      target: target({}),
      password: slapd.syncPw,
      attributes: ['uid'],
      pageSize: 5,
      overlap: true,
      onPage: async () => {
        if (++calls === 2) throw new AppError('SCRIPT_UNFETCHED_ATTRIBUTE', 'page two failed');
        await new Promise((r) => setTimeout(r, 5));
      },
    }).catch((e: unknown) => e);
    expect((err as AppError).message).toBe('page two failed');
    expect(calls).toBeLessThanOrEqual(3);
  }, 60_000);

  it('stops within a second when cancelled mid-read, and hands over no page after the cancel', async () => {
    const controller = new AbortController();
    let pagesAfterCancel = 0;
    let cancelledAt = 0;
    const read = readDirectory({
      target: target({}),
      password: slapd.syncPw,
      attributes: ['*'],
      pageSize: 1,
      signal: controller.signal,
      onPage: async () => {
        if (cancelledAt) pagesAfterCancel++;
        else if (!cancelledAt) {
          cancelledAt = performance.now();
          controller.abort();
        }
        // A slow consumer: the worker must not run on unbounded meanwhile.
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    const err = await read.catch((e: unknown) => e);
    expect((err as AppError).code).toBe('CANCELLED');
    expect(performance.now() - cancelledAt).toBeLessThan(1000);
    expect(pagesAfterCancel).toBe(0);
  }, 60_000);

  it('fails a read whose directory is gone with a connection error, never an empty result', async () => {
    const t = { ...target({}), port: 1 };
    const err = await readDirectory({ target: t, password: slapd.syncPw, attributes: ['uid'], onPage: () => {} }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('CONNECT_REFUSED');
  }, 60_000);
});
