/**
 * A search base at the Active Directory domain root, against a real Samba AD DC: the directory
 * returns continuation references to the forest's own other partitions (CN=Configuration,
 * DomainDnsZones and ForestDnsZones: the rig provisions DNS partitions as Windows has them). Simulate, sync and snapshot capture succeed and see
 * the users; the doctor and the preview say what came back; without the domain-scope control the
 * references are still recognised as the forest's own. A referral to anything else (a slapd
 * `referral` entry under the base) still fails the read, with nothing changed, and is reported as
 * such. Nothing but 127.0.0.1 is ever contacted: references are never followed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Control } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { runDoctor } from '../../src-main/ldap/doctor';
import { readDirectory } from '../../src-main/ldap/reader';
import { DOMAIN_SCOPE_OID } from '../../src-main/ldap/root-dse';
import { targetFromDraft, type LdapTarget } from '../../src-main/ldap/target';
import { LdapEntrySource } from '../../src-main/preview/ldap-source';
import type { DoctorReport } from '../../src-shared/domain/doctor';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { run } from '../rig/exec';
import { SAMBA_PEOPLE_COUNT, startSambaDc, type SambaDc } from '../rig/samba';
import { startSlapd, type Slapd } from '../rig/slapd';
import { runCliInProcess, type Outcome } from './cli-runner';

const AD_FILTER = '(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))';
const CONFIGURATION = 'CN=Configuration,DC=samdom,DC=test';
/** The forest's other partitions below the domain root, as on Windows (the rig provisions its DNS partitions). */
const OWN_PARTITIONS = [CONFIGURATION, 'DC=DomainDnsZones,DC=samdom,DC=test', 'DC=ForestDnsZones,DC=samdom,DC=test'];
const ownTargets = () => OWN_PARTITIONS.map((dn) => expect.objectContaining({ dn, ownPartition: true }));

let dc: SambaDc;
/** Every person under the domain root, counted as a reference client would: ldapts with the domain-scope control. */
let people: string[];

beforeAll(async () => {
  dc = await startSambaDc();
  const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.caPem] }, timeout: 20_000 });
  try {
    await c.bind(dc.reader.upn, dc.reader.password);
    const r = await c.search(dc.baseDn, { scope: 'sub', filter: '(&(objectClass=user)(objectCategory=person))', attributes: ['sAMAccountName'], paged: { pageSize: 1000 } }, [new Control(DOMAIN_SCOPE_OID)]);
    people = r.searchEntries.map((e) => String(e.sAMAccountName)).sort();
  } finally {
    await c.unbind().catch(() => {});
  }
}, 180_000);
afterAll(async () => {
  await dc?.stop();
});

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

/** Reads every entry through the read worker; returns the usernames and what the read reported. */
async function readAll(target: LdapTarget, password: string, domainScope?: boolean) {
  const names: string[] = [];
  const r = await readDirectory({ target, password, attributes: ['sAMAccountName'], domainScope, onPage: (es) => void names.push(...es.map((e) => e.attributes.sAMAccountName[0])) });
  return { ...r, names: names.sort() };
}

const searchStage = (r: DoctorReport) => r.stages.find((s) => s.name === 'search')!;

describe('a search base at the Active Directory domain root (Samba AD DC)', () => {
  it('the directory really returns a reference there without the domain-scope control (the premise)', async () => {
    const c = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.caPem] }, timeout: 20_000 });
    try {
      await c.bind(dc.reader.upn, dc.reader.password);
      const r = await c.search(dc.baseDn, { scope: 'sub', filter: '(sAMAccountName=user0001)', attributes: ['1.1'] });
      expect(r.searchReferences.some((u) => u.endsWith(`/${CONFIGURATION}`))).toBe(true);
    } finally {
      await c.unbind().catch(() => {});
    }
    expect(people.length).toBeGreaterThanOrEqual(SAMBA_PEOPLE_COUNT);
  });

  it('a whole read sends the domain-scope control the root DSE advertises: every person, no reference', async () => {
    const r = await readAll(targetFromDraft(adDraft()), dc.reader.password);
    expect(r.names).toEqual(people);
    expect(r.references).toBeNull();
  });

  it('without the domain-scope control the read still succeeds: the reference to CN=Configuration is recognised as the forest\'s own partition', async () => {
    const r = await readAll(targetFromDraft(adDraft()), dc.reader.password, false);
    expect(r.names).toEqual(people);
    expect(r.references).toMatchObject({ failsSync: false, domainScope: true });
    expect(r.references!.targets).toEqual(expect.arrayContaining(ownTargets()));
    expect(r.references!.targets).toHaveLength(OWN_PARTITIONS.length);
    expect(r.references!.targets[0].url).toMatch(/^ldaps?:\/\/samdom\.test\//);
  });

  it('the doctor passes and says on its search stage which references came back and that a sync ignores them', async () => {
    const r = await runDoctor({ target: targetFromDraft(adDraft()), password: dc.reader.password });
    expect(r.error).toBeNull();
    expect(searchStage(r).ok).toBe(true);
    expect(searchStage(r).detail).toContain(`${people.length.toLocaleString('en-US')} matches`);
    expect(searchStage(r).detail).toContain(`The search returned ${OWN_PARTITIONS.length} continuation references`);
    expect(searchStage(r).detail).toContain(`Ignored as the forest's own other partitions, which hold no users of this domain: ${OWN_PARTITIONS.join('; ')}.`);
    expect(searchStage(r).detail).toContain('Syncs ask the directory not to send these');
    expect(r.references).toMatchObject({ failsSync: false, targets: expect.arrayContaining(ownTargets()) });
  });

  it('the preview reports the references with its page', async () => {
    const source = new LdapEntrySource({ target: targetFromDraft(adDraft()), password: dc.reader.password });
    try {
      const page = await source.page({ page: 1, pageSize: 10, search: null, attributes: ['sAMAccountName'] });
      expect(page.total).toBe(people.length);
      expect(page.references).toMatchObject({ failsSync: false, targets: expect.arrayContaining(ownTargets()) });
    } finally {
      await source.close();
    }
  });
});

describe('the CLI at the domain root: server test, preview, simulate, sync and snapshot capture', () => {
  let dir: string;
  const env = () => ({ ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite'), AD_BIND_PASSWORD: dc.reader.password });
  const ldapSync = (args: string[]): Promise<Outcome> => runCliInProcess(args, { cwd: dir, env: env() });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lss-ad-referrals-'));
    await writeFile(path.join(dir, 'ca.pem'), dc.caPem);
    const config = {
      servers: [
        {
          name: 'Samba AD',
          url: `${dc.ldapsUrl}/${dc.baseDn}`,
          bindDn: dc.reader.upn,
          bindPassword: { env: 'AD_BIND_PASSWORD' },
          searchFilter: AD_FILTER,
          trustedCertificates: [{ file: 'ca.pem' }],
          mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
          createUsers: true,
          defaultOrg: 'Samdom',
        },
      ],
      organizations: [{ name: 'Samdom', auth: { ldapServer: 'Samba AD' } }],
    };
    await writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
    const r = await ldapSync(['config', 'apply', 'config.json']);
    expect(r.stderr).toBe('');
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('`server test` passes and prints the references on the search stage', async () => {
    const r = await ldapSync(['server', 'test', 'Samba AD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ Search filter → matches .* continuation reference.*Ignored as the forest's own other partitions.*CN=Configuration,DC=samdom,DC=test/);
  });

  it('`preview` prints a note about the references', async () => {
    const r = await ldapSync(['preview', 'Samba AD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Note: The search returned ${OWN_PARTITIONS.length} continuation references`);
    expect(r.stdout).toContain(CONFIGURATION);
  });

  it('`simulate`, `sync` and `snapshot capture` succeed and see every person', async () => {
    const sim = JSON.parse((await ldapSync(['simulate', 'Samba AD', '--json'])).stdout);
    expect(sim).toMatchObject({ status: 'simulated', entries: people.length });
    const sync = JSON.parse((await ldapSync(['sync', 'Samba AD', '--json'])).stdout);
    expect(sync).toMatchObject({ status: 'applied', entries: people.length });
    const users = JSON.parse((await ldapSync(['users', '--json'])).stdout) as { username: string }[];
    expect(users).toHaveLength(sync.counts.created);
    expect(users.map((u) => u.username)).toEqual(expect.arrayContaining(['user0001', 'user1649', 'jsmith', 'zangstrom', 'jweiss']));
    const snap = await ldapSync(['snapshot', 'capture', 'Samba AD', '--json']);
    expect(snap.code).toBe(0);
    expect(JSON.parse(snap.stdout)).toMatchObject({ entries: people.length });
  }, 120_000);
});

describe('a referral that is not the forest\'s own partition still fails (slapd)', () => {
  let slapd: Slapd;
  const refDn = () => `ou=remote,${slapd.baseDn}`;

  beforeAll(async () => {
    slapd = await startSlapd({ users: 20 });
    // manageDSAit (-M) makes the referral an entry; searches without it get a continuation reference.
    const ldif = `dn: ${refDn()}\nobjectClass: referral\nobjectClass: extensibleObject\nou: remote\nref: ldap://127.0.0.1:1/ou=remote,dc=elsewhere,dc=org\n\n`;
    await run('ldapadd', ['-x', '-M', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: ldif });
  }, 60_000);
  afterAll(async () => {
    await slapd?.stop();
  });

  const slapdTarget = () => targetFromDraft({ ...emptyServerDraft(), name: 'Rig', url: `${slapd.url}/${slapd.baseDn}`, bindDn: slapd.syncDn });

  it('a whole read fails with REFERRAL naming the target, with or without the domain-scope control asked for', async () => {
    for (const domainScope of [true, false]) {
      const err = await readAll(slapdTarget(), slapd.syncPw, domainScope).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('REFERRAL');
      expect((err as AppError).message).toContain('ldap://127.0.0.1:1/ou=remote,dc=elsewhere,dc=org');
      expect((err as AppError).message).toContain('Nothing was changed.');
    }
  });

  it('the doctor fails its search stage with REFERRAL, says a sync would fail and gives the fix, and still counts the matches', async () => {
    const r = await runDoctor({ target: slapdTarget(), password: slapd.syncPw });
    expect(r.matches).toBe(20);
    expect(searchStage(r).ok).toBe(false);
    expect(searchStage(r).error?.code).toBe('REFERRAL');
    expect(searchStage(r).error?.message).toContain('20 matches');
    expect(searchStage(r).error?.message).toContain('Not the forest\'s own partitions, so a sync would fail rather than miss the entries they hold: ou=remote,dc=elsewhere,dc=org.');
    expect(searchStage(r).error?.message).toContain('Narrow the search base');
    expect(r.references).toMatchObject({ failsSync: true, domainScope: false, targets: [expect.objectContaining({ ownPartition: false })] });
  });

  it('the preview shows the page and warns that a sync would fail', async () => {
    const source = new LdapEntrySource({ target: slapdTarget(), password: slapd.syncPw });
    try {
      const page = await source.page({ page: 1, pageSize: 10, search: null, attributes: ['uid'] });
      expect(page.entries).toHaveLength(10);
      expect(page.references).toMatchObject({ failsSync: true, count: 1 });
    } finally {
      await source.close();
    }
  });
});
