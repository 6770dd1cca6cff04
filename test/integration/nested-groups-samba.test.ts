/**
 * Nested groups and the AD script helpers against a real Samba AD DC. References: AD's own
 * in-chain matching rule (LDAP_MATCHING_RULE_IN_CHAIN, 1.2.840.113556.1.4.1941) for nested
 * membership, and `samba-tool user show` (Samba's rendering of its own sam.ldb) for objectSid and
 * objectGUID as text.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLiveGroups } from '../../src-main/groups/read-groups';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { targetFromDraft } from '../../src-main/ldap/target';
import type { GroupClosure } from '../../src-main/groups/group-closure';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { SAMBA_GROUPS, SAMBA_SPECIAL_PEOPLE, sambaUser, sambaUserDn, startSambaDc, type SambaDc } from '../rig/samba';
import { runCliInProcess } from './cli-runner';
import { openTestApp, type TestApp } from './preview-fixture';

const AD_FILTER = '(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))';
const IN_CHAIN = '1.2.840.113556.1.4.1941';

let dc: SambaDc;
let t: TestApp;
let closure: GroupClosure;

function adDraft(over: Partial<ServerDraft> = {}): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'Samba AD',
    url: `${dc.ldapsUrl}/${dc.baseDn}`,
    bindDn: dc.reader.upn,
    searchFilter: AD_FILTER,
    timeoutSeconds: 30,
    trustedCertificates: [parseTrustedPem(dc.caPem, 'ca')],
    ...over,
  };
}

/** The groups AD itself says `dn` is in, directly or nested: the in-chain rule, as the reader. */
async function inChain(dn: string): Promise<string[]> {
  const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.caPem] }, timeout: 20_000 });
  try {
    await c.bind(dc.reader.upn, dc.reader.password);
    const escaped = dn.replace(/[\\*()\0]/g, (ch) => `\\${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
    const r = await c.search(dc.baseDn, { scope: 'sub', filter: `(member:${IN_CHAIN}:=${escaped})`, attributes: ['1.1'] });
    return r.searchEntries.map((e) => e.dn);
  } finally {
    await c.unbind().catch(() => {});
  }
}

const sorted = (dns: readonly string[]) => dns.map((d) => d.toLowerCase()).sort();

beforeAll(async () => {
  dc = await startSambaDc();
  t = await openTestApp();
  closure = await readLiveGroups({ target: targetFromDraft(adDraft()), password: dc.reader.password });
}, 180_000);
afterAll(async () => {
  await t?.close();
  await dc?.stop();
});

describe('nested groups on Active Directory (Samba)', () => {
  const people = {
    'user 1 (GG-Inner, Big Group)': sambaUserDn(1),
    'user 3 (GG-Middle)': sambaUserDn(3),
    'user 4 (GG-CycleA, in a cycle)': sambaUserDn(4),
    'user 5 (Big Group only)': sambaUserDn(5),
    'user 1650 (no group)': sambaUserDn(1650),
    'John Smith (escaped DN, GG-Outer)': SAMBA_SPECIAL_PEOPLE.jsmith.dn,
  };

  for (const [who, dn] of Object.entries(people)) {
    it(`agrees with AD's in-chain rule for ${who}`, async () => {
      expect(sorted(closure.of(dn))).toEqual(sorted(await inChain(dn)));
    });
  }

  it('finds a member of GG-Inner in GG-Outer, and the cycle ends', () => {
    expect(sorted(closure.of(sambaUserDn(1)))).toEqual(sorted([SAMBA_GROUPS.inner, SAMBA_GROUPS.middle, SAMBA_GROUPS.outer, SAMBA_GROUPS.big]));
    expect(sorted(closure.of(sambaUserDn(4)))).toEqual(sorted([SAMBA_GROUPS.cycleA, SAMBA_GROUPS.cycleB, SAMBA_GROUPS.big]));
  });

  it('gives scripts nested membership in the preview, with the search base at the domain root', async () => {
    t.app.directory.createRole({ name: 'Outer' });
    const roleName = `function(entry) { return groups.isMember(entry, 'GG-Outer') ? ['Outer'] : []; }`;
    const draft = adDraft({ scripts: { active: 'e => !ad.isDisabled(e)', orgName: null, roleName } });
    const rolesOf = async (username: string) => {
      const r = await t.app.preview.run({ sessionId: 'samba', draft, password: { kind: 'value', value: dc.reader.password }, page: 1, pageSize: 50, search: username });
      expect(r.rows).toHaveLength(1);
      expect(r.rows[0].errors).toEqual([]);
      return r.rows[0].roles;
    };
    expect(await rolesOf(sambaUser(2))).toEqual(['Outer']);
    expect(await rolesOf(sambaUser(3))).toEqual(['Outer']);
    expect(await rolesOf('jsmith')).toEqual(['Outer']);
    expect(await rolesOf(sambaUser(5))).toEqual([]);
  });
});

describe('the ad helpers on live values', () => {
  // samba-tool reads the DC's own sam.ldb: Samba's rendering of the same objects.
  const samLdb = () => [path.join(dc.dir, 'dc', 'private', 'sam.ldb'), path.join(dc.dir, 'private', 'sam.ldb')].find((p) => existsSync(p));

  it('renders objectSid and objectGUID as samba-tool does, and reads the disabled flag', async () => {
    const users = [sambaUser(1), sambaUser(10), 'jsmith'];
    const orgName = `e => [ad.sid(e.objectSid), ad.guid(e.objectGUID), ad.isDisabled(e), ad.uacFlags(e).join('|')].join(' ')`;
    const draft = adDraft({ scripts: { active: 'e => true', orgName, roleName: null } });
    const ldb = samLdb();
    expect(ldb, 'the DC keeps its sam.ldb in its working copy').toBeDefined();
    for (const name of users) {
      const r = await t.app.preview.run({ sessionId: 'helpers', draft, password: { kind: 'value', value: dc.reader.password }, page: 1, pageSize: 50, search: name });
      const [sid, guid, disabled, flags] = (r.rows[0].org ?? '').split(' ');
      const shown = (await run('/usr/bin/samba-tool', ['user', 'show', name, '-H', `tdb://${ldb}`, '--attributes=objectSid,objectGUID,userAccountControl'])).stdout;
      expect(sid).toBe(/^objectSid: (\S+)$/m.exec(shown)?.[1]);
      expect(guid).toBe(/^objectGUID: (\S+)$/m.exec(shown)?.[1]);
      const uac = Number(/^userAccountControl: (\d+)$/m.exec(shown)?.[1]);
      expect(disabled).toBe(String((uac & 2) !== 0));
      expect(flags.split('|')).toContain('NORMAL_ACCOUNT');
    }
  });
});

describe('the raw view shows SIDs and GUIDs as text', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lss-ad-raw-'));
    await writeFile(path.join(dir, 'ca.pem'), dc.caPem);
    const server = { name: 'Samba AD', url: `${dc.ldapsUrl}/${dc.baseDn}`, bindDn: dc.reader.upn, bindPassword: { env: 'AD_BIND_PASSWORD' }, searchFilter: AD_FILTER, trustedCertificates: [{ file: 'ca.pem' }] };
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ servers: [server] }));
  }, 30_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('`ldap-sync preview --raw DN` prints objectSid and objectGUID as samba-tool does', async () => {
    const env = { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), AD_BIND_PASSWORD: dc.reader.password };
    const ldapSync = (args: string[]) => runCliInProcess(args, { cwd: dir, env });
    expect((await ldapSync(['config', 'apply', 'config.json'])).code).toBe(0);
    const r = await ldapSync(['preview', 'Samba AD', '--raw', SAMBA_SPECIAL_PEOPLE.jsmith.dn]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ldb = [path.join(dc.dir, 'dc', 'private', 'sam.ldb'), path.join(dc.dir, 'private', 'sam.ldb')].find((p) => existsSync(p))!;
    const shown = (await run('/usr/bin/samba-tool', ['user', 'show', 'jsmith', '-H', `tdb://${ldb}`, '--attributes=objectSid,objectGUID'])).stdout;
    const sid = /^objectSid: (\S+)$/m.exec(shown)![1];
    const guid = /^objectGUID: (\S+)$/m.exec(shown)![1];
    expect(r.stdout).toMatch(new RegExp(`^objectSid: ${sid} \\(28 bytes, base64 `, 'mi'));
    expect(r.stdout).toMatch(new RegExp(`^objectGUID: ${guid} \\(16 bytes, base64 `, 'mi'));
    expect(r.stdout).toMatch(/^dn: CN=Smith\\, John,OU=People,DC=samdom,DC=test$/m);
  });
});
