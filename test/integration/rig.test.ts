import { existsSync } from 'node:fs';
import net from 'node:net';
import { Client, SizeLimitExceededError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../rig/exec';
import { closedPort, startHangListener } from '../rig/hang-listener';
import { startKeyring } from '../rig/keyring';
import { parseOps, startSlapd, userAttributes, type Slapd } from '../rig/slapd';

/** Counts entries under `base` with a paged search (1000 per page). */
async function pagedCount(client: Client, base: string, filter = '(objectClass=inetOrgPerson)'): Promise<number> {
  let n = 0;
  for await (const page of client.searchPaginated(base, { filter, attributes: ['uid'], paged: { pageSize: 1000 } })) {
    n += page.searchEntries.length;
  }
  return n;
}

/** Resolves with the error code of a TLS handshake against `ldapsUrl` trusting only `ca`. */
async function tlsErrorCode(ldapsUrl: string, ca: string): Promise<string> {
  const client = new Client({ url: ldapsUrl, connectTimeout: 3000, tlsOptions: { ca: [ca] } });
  try {
    await client.bind('', '');
    return 'no error';
  } catch (e) {
    return String((e as { code?: unknown }).code ?? e);
  } finally {
    await client.unbind().catch(() => {});
  }
}

describe('slapd rig', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd();
  });
  afterAll(async () => {
    await slapd?.stop();
  });

  it('answers on ldap:// anonymously and on ldaps:// with the private CA', async () => {
    const plain = new Client({ url: slapd.url });
    const dse = await plain.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['namingContexts'] });
    expect(dse.searchEntries[0].namingContexts).toBe('dc=example,dc=com');
    await plain.unbind();

    const secure = new Client({ url: slapd.ldapsUrl, tlsOptions: { ca: [slapd.pki.caCertPem] } });
    await secure.bind(slapd.syncDn, slapd.syncPw);
    const { searchEntries } = await secure.search(slapd.userDn(1), { scope: 'base', attributes: ['*'] });
    expect(searchEntries[0].uid).toBe('user00001');
    expect(searchEntries[0].userPassword).toBeUndefined(); // ACL: userPassword is bind-only
    for (const i of [2, 4]) { // non-ASCII givenName/sn, base64 in the LDIF
      const expected = userAttributes(i);
      const [entry] = (await secure.search(slapd.userDn(i), { scope: 'base', attributes: Object.keys(expected) }))
        .searchEntries;
      const { dn: _dn, ...attrs } = entry;
      expect(attrs).toEqual(expected);
    }
    await secure.unbind();
  });

  it('serves exactly userCount users to the sync account through paging', async () => {
    const client = new Client({ url: slapd.url });
    await client.bind(slapd.syncDn, slapd.syncPw);
    expect(await pagedCount(client, slapd.baseDn)).toBe(1200);
    expect(slapd.userCount).toBe(1200);
    await client.unbind();
  });

  it('lets users bind with the shared password', async () => {
    const client = new Client({ url: slapd.url });
    await client.bind(slapd.userDn(1200), slapd.userPassword);
    await client.unbind();
  });

  it('caps the limited account at 500 entries, paged or not', async () => {
    const client = new Client({ url: slapd.url });
    await client.bind(slapd.limitedDn, slapd.limitedPw);
    await expect(client.search(slapd.baseDn, { filter: '(objectClass=inetOrgPerson)', attributes: ['uid'] }))
      .rejects.toBeInstanceOf(SizeLimitExceededError);
    await expect(pagedCount(client, slapd.baseDn)).rejects.toBeInstanceOf(SizeLimitExceededError);
    const few = await client.search(slapd.baseDn, { filter: '(uid=user0000*)', attributes: ['uid'] });
    expect(few.searchEntries).toHaveLength(9);
    await client.unbind();
  });

  it('logs BIND/SRCH/UNBIND and StartTLS, and a rootdn ldapmodify shows up as MOD', async () => {
    const client = new Client({ url: slapd.url });
    await client.startTLS({ ca: [slapd.pki.caCertPem] });
    await client.bind(slapd.syncDn, slapd.syncPw);
    await client.search(slapd.baseDn, { filter: '(uid=user00002)', attributes: ['cn'] });
    await client.unbind();
    // Everything this file did so far was read-only (the earlier tests share this slapd).
    const readOnly = parseOps(await slapd.readOpLog());
    expect(new Set(readOnly)).toEqual(new Set(['SRCH', 'UNBIND', 'BIND', 'EXT 1.3.6.1.4.1.1466.20037']));

    const ldif = `dn: ${slapd.userDn(3)}\nchangetype: modify\nreplace: description\ndescription: touched\n`;
    await run('ldapmodify', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: ldif });
    const lines = await slapd.readOpLog();
    expect(parseOps(lines)).toContain('MOD');
    expect(lines.some((l) => /MOD dn="uid=user00003,ou=people,dc=example,dc=com"/.test(l))).toBe(true);
  });

  it('pause() makes requests hang until resume()', async () => {
    const client = new Client({ url: slapd.url, timeout: 300 });
    await slapd.pause();
    try {
      await expect(client.search('', { scope: 'base' })).rejects.toThrow();
    } finally {
      slapd.resume();
    }
    const again = new Client({ url: slapd.url, timeout: 2000 });
    expect((await again.search('', { scope: 'base' })).searchEntries).toHaveLength(1);
    await again.unbind();
    await client.unbind().catch(() => {});
  });
});

describe('slapd rig TLS modes and lifecycle', () => {
  it.each([
    ['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['expired', 'CERT_HAS_EXPIRED'],
    ['self-signed', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
  ] as const)('tls %s is rejected by Node with %s', async (tls, code) => {
    const s = await startSlapd({ users: 0, tls });
    try {
      expect(await tlsErrorCode(s.ldapsUrl, s.pki.caCertPem)).toBe(code);
    } finally {
      await s.stop();
    }
  });

  it('hides its readiness probe from the op log', async () => {
    const s = await startSlapd({ users: 5 });
    try {
      expect(await s.readOpLog()).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('stop() ends slapd and removes its directory', async () => {
    const s = await startSlapd({ users: 5, logOps: false });
    await s.stop();
    expect(existsSync(s.dir)).toBe(false);
    expect(() => process.kill(s.pid, 0)).toThrow();
    await expect(s.readOpLog()).rejects.toThrow(/logOps/);
  });
});

describe('hang listener', () => {
  it('accepts connections and never answers', async () => {
    const hang = await startHangListener();
    const socket = net.connect(hang.port, '127.0.0.1');
    let received = 0;
    socket.on('data', (b) => (received += b.length));
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('hello?');
    await new Promise((r) => setTimeout(r, 300));
    expect(received).toBe(0);
    expect(socket.destroyed).toBe(false);
    expect(hang.connections).toBe(1);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    await hang.close();
    await closed;
  });

  it('closedPort() refuses connections', async () => {
    const port = await closedPort();
    const err = await new Promise<NodeJS.ErrnoException>((resolve) => {
      net.connect(port, '127.0.0.1').once('error', resolve);
    });
    expect(err.code).toBe('ECONNREFUSED');
  });
});

describe('keyring rig', () => {
  it('stores and looks up a secret with secret-tool through the returned env', async () => {
    const keyring = await startKeyring();
    try {
      const env = { ...process.env, ...keyring.env };
      const attrs = ['app', 'ldap-sync-studio', 'server', 'abc'];
      await run('secret-tool', ['store', '--label=rig test', ...attrs], { env, input: 's3cret-värde' });
      const { stdout } = await run('secret-tool', ['lookup', ...attrs], { env });
      expect(stdout).toBe('s3cret-värde');
    } finally {
      await keyring.stop();
    }
    expect(existsSync(keyring.dir)).toBe(false);
  });
});
