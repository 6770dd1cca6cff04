import { Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SAMBA_BIG_GROUP_SIZE, SAMBA_DISABLED_EVERY, SAMBA_GROUPS, SAMBA_PEOPLE_COUNT, SAMBA_PEOPLE_DN, SAMBA_SPECIAL_PEOPLE,
  sambaUser, startSambaDc, type SambaDc,
} from '../rig/samba';

let dc: SambaDc;

beforeAll(async () => {
  dc = await startSambaDc();
}, 180_000);

afterAll(async () => {
  await dc?.stop();
});

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>, startTls = false): Promise<T> {
  // ldapts speaks TLS from the first byte whenever tlsOptions are given, so only for ldaps://.
  const tlsOptions = url.startsWith('ldaps:') ? { ca: [dc.caPem] } : undefined;
  const client = new Client({ url, tlsOptions, timeout: 10_000, connectTimeout: 5000 });
  try {
    if (startTls) await client.startTLS({ ca: [dc.caPem] });
    return await fn(client);
  } finally {
    await client.unbind().catch(() => {});
  }
}

describe('the Samba AD DC test rig', () => {
  it('serves the domain over ldaps with its own CA, and a bind as DOMAIN\\user works', async () => {
    const root = await withClient(dc.ldapsUrl, async (c) => {
      await c.bind(`${dc.domain}\\ldap-reader`, dc.reader.password);
      return (await c.search('', { scope: 'base', attributes: ['defaultNamingContext', 'supportedControl'] })).searchEntries[0]!;
    });
    expect(root.defaultNamingContext).toBe(dc.baseDn);
    // The domain-scope control AD advertises is there, as on Windows.
    expect(root.supportedControl).toContain('1.2.840.113556.1.4.1339');
  });

  it('refuses a plain simple bind on ldap:// (like AD) but accepts one after StartTLS', async () => {
    await expect(withClient(dc.ldapUrl, (c) => c.bind(dc.reader.upn, dc.reader.password))).rejects.toThrow(/encryption required|strong/i);
    await withClient(dc.ldapUrl, (c) => c.bind(dc.reader.upn, dc.reader.password), true);
  });

  it('holds the people, some disabled, and escaped and non-ASCII DNs', async () => {
    const { people, disabled, special } = await withClient(dc.ldapsUrl, async (c) => {
      await c.bind(dc.reader.dn, dc.reader.password);
      const opts = { scope: 'sub' as const, paged: { pageSize: 500 }, attributes: ['sAMAccountName', 'userAccountControl'] };
      const all = (await c.search(SAMBA_PEOPLE_DN, { ...opts, filter: '(&(objectClass=user)(objectCategory=person))' })).searchEntries;
      return {
        people: all.length,
        disabled: all.filter((e) => (Number(e.userAccountControl) & 2) !== 0).map((e) => String(e.sAMAccountName)),
        special: all.filter((e) => String(e.sAMAccountName) in SAMBA_SPECIAL_PEOPLE).map((e) => e.dn).sort(),
      };
    });
    expect(people).toBe(SAMBA_PEOPLE_COUNT);
    expect(disabled).toContain(sambaUser(SAMBA_DISABLED_EVERY));
    expect(disabled).not.toContain(sambaUser(1));
    expect(special).toEqual(Object.values(SAMBA_SPECIAL_PEOPLE).map((p) => p.dn).sort());
  });

  it('has a group with more members than MaxValRange, and nested groups', async () => {
    const [big, outer] = await withClient(dc.ldapsUrl, async (c) => {
      await c.bind(dc.reader.dn, dc.reader.password);
      const b = (await c.search(SAMBA_GROUPS.big, { scope: 'base', attributes: ['member'] })).searchEntries[0]!;
      // The in-chain rule: every group a user is in, transitively.
      const o = await c.search(dc.baseDn, { scope: 'sub', filter: `(member:1.2.840.113556.1.4.1941:=CN=User 0001,${SAMBA_PEOPLE_DN})`, attributes: ['cn'] });
      return [b, o.searchEntries.map((e) => String(e.cn)).sort()];
    });
    expect((big.member as string[]).length).toBe(SAMBA_BIG_GROUP_SIZE);
    expect(outer).toEqual(['Big Group', 'GG-Inner', 'GG-Middle', 'GG-Outer']);
  });

  it('answers a bind of the disabled account with the AD diagnostic for a disabled account', async () => {
    const err = await withClient(dc.ldapsUrl, (c) => c.bind(dc.disabledReader.dn, dc.disabledReader.password)).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidCredentialsError);
    expect(String(err.message)).toMatch(/data 533/);
  });

  it('runs two DCs at once, each with its own ports and copy', async () => {
    const second = await startSambaDc();
    try {
      expect(second.ldapsUrl).not.toBe(dc.ldapsUrl);
      await second.modify(`dn: ${SAMBA_SPECIAL_PEOPLE.jsmith.dn}\nchangetype: modify\nreplace: givenName\ngivenName: Changed\n-\n`);
      const names = await Promise.all([dc, second].map((d) => withClient(d.ldapsUrl, async (c) => {
        await c.bind(d.reader.dn, d.reader.password);
        return (await c.search(SAMBA_SPECIAL_PEOPLE.jsmith.dn, { scope: 'base', attributes: ['givenName'] })).searchEntries[0]!.givenName;
      })));
      expect(names).toEqual(['John', 'Changed']);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
