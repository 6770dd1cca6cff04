/**
 * Ranged attributes against a real Samba AD DC: 'Big Group' has 1,600 members, more than AD's
 * MaxValRange of 1,500. Samba (unlike Windows) answers `member` whole unless a range is asked for,
 * so these reads start ranged by asking for `member;range=0-1499` (or a smaller first range), as
 * a Windows DC answers unasked. The live read (read worker and on the calling thread) must fetch
 * the remaining ranges and give one `member` equal to an unranged read. The LDIF import must merge
 * what ldapsearch writes for each range, as python-ldap's own LDIF parser reads it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { readDirectory } from '../../src-main/ldap/reader';
import { targetFromDraft, type LdapTarget } from '../../src-main/ldap/target';
import { LdapEntrySource } from '../../src-main/preview/ldap-source';
import { parseLdif } from '../../src-main/snapshots/ldif';
import { emptyServerDraft } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { SAMBA_BIG_GROUP_SIZE, SAMBA_GROUP_MEMBERS, SAMBA_GROUPS, SAMBA_GROUPS_DN, startSambaDc, type SambaDc } from '../rig/samba';
import { runCliInProcess } from './cli-runner';

let dc: SambaDc;
let target: LdapTarget;

beforeAll(async () => {
  dc = await startSambaDc();
  target = targetFromDraft({
    ...emptyServerDraft(),
    name: 'Samba AD groups',
    url: `${dc.ldapsUrl}/${SAMBA_GROUPS_DN}`,
    bindDn: dc.reader.upn,
    searchFilter: '(&(objectClass=group)(sAMAccountName=?))',
    timeoutSeconds: 30,
    trustedCertificates: [parseTrustedPem(dc.caPem, 'ca')],
  });
}, 180_000);
afterAll(async () => {
  await dc?.stop();
});

/** Every group under OU=Groups by DN, read with these attributes and options. */
async function readGroups(attributes: string[], o: { inThread?: boolean; pageSize?: number } = {}): Promise<Map<string, DirectoryEntry>> {
  const out = new Map<string, DirectoryEntry>();
  await readDirectory({ target, password: dc.reader.password, attributes, ...o, onPage: (es) => es.forEach((e) => out.set(e.dn, e)) });
  return out;
}

/** The members of each group from an unranged read (Samba answers `member` whole): the reference. */
let unranged: Map<string, string[]>;
const membersOf = (groups: Map<string, DirectoryEntry>) => new Map([...groups].map(([dn, e]) => [dn, e.attributes.member ?? []]));

describe('a live read that starts ranged gets every value of a big group', () => {
  beforeAll(async () => {
    unranged = membersOf(await readGroups(['cn', 'member']));
    expect(unranged.get(SAMBA_GROUPS.big)).toHaveLength(SAMBA_BIG_GROUP_SIZE);
    expect([...unranged.get(SAMBA_GROUPS.inner)!].sort()).toEqual([...SAMBA_GROUP_MEMBERS.inner].sort());
  }, 60_000);

  it('the directory really answers member;range=0-1499 with 1,500 values and no plain member (the premise)', async () => {
    const out = spawnSync('ldapsearch', ['-x', '-H', dc.ldapsUrl, '-D', dc.reader.upn, '-w', dc.reader.password, '-LLL', '-o', 'ldif-wrap=no', '-s', 'base', '-b', SAMBA_GROUPS.big, '(objectClass=*)', 'member;range=0-1499'], {
      encoding: 'utf8',
      env: { ...process.env, LDAPTLS_CACERT: dc.caFile },
    });
    const names = out.stdout.split('\n').filter((l) => /^member/i.test(l)).map((l) => l.slice(0, l.indexOf(':')));
    expect(new Set(names)).toEqual(new Set(['member;range=0-1499']));
    expect(names).toHaveLength(1500);
  });

  it('in the read worker: one attribute member, equal (in order) to the unranged read, for the big group and the small ones', async () => {
    const groups = await readGroups(['cn', 'member;range=0-1499']);
    expect(membersOf(groups)).toEqual(unranged);
    expect(Object.keys(groups.get(SAMBA_GROUPS.big)!.attributes).sort()).toEqual(['cn', 'member']);
  });

  it('on the calling thread, with a first range of 100 and pages of 2 entries (follow-ups interleave with the next page)', async () => {
    const groups = await readGroups(['cn', 'member;range=0-99'], { inThread: true, pageSize: 2 });
    expect(membersOf(groups)).toEqual(unranged);
  });

  it('in the read worker with pages of 1 entry, so the last page holds the big group alone', async () => {
    const groups = await readGroups(['member;range=0-99'], { pageSize: 1 });
    expect(membersOf(groups)).toEqual(unranged);
  });

  it('in the preview\'s pages too (its own ldapts connection), so a preview script sees what a sync sees', async () => {
    const source = new LdapEntrySource({ target, password: dc.reader.password });
    try {
      const page = await source.page({ page: 1, pageSize: 50, search: null, attributes: ['cn', 'member;range=0-1499'] });
      expect(membersOf(new Map(page.entries.map((e) => [e.dn, e])))).toEqual(unranged);
    } finally {
      await source.close();
    }
  });
});

describe('LDIF from ldapsearch, one search per range', () => {
  let dir: string;
  let ldifText: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lss-ad-ranges-'));
    const search = (...attrs: string[]) =>
      run('ldapsearch', ['-x', '-H', dc.ldapsUrl, '-D', dc.reader.upn, '-w', dc.reader.password, '-LLL', '-s', 'base', '-b', SAMBA_GROUPS.big, '(objectClass=*)', ...attrs], {
        env: { ...process.env, LDAPTLS_CACERT: dc.caFile },
      });
    // Samba (like AD) answers one range per request: a second range in the same request is ignored.
    const [first, rest] = await Promise.all([search('cn', 'member;range=0-1499'), search('member;range=1500-*')]);
    expect(first.stdout).toContain('member;range=0-1499: ');
    expect(rest.stdout).toContain('member;range=1500-*: ');
    ldifText = `${first.stdout.trimEnd()}\n\n${rest.stdout.trimEnd()}\n`;
    await writeFile(path.join(dir, 'big-group.ldif'), ldifText);
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('merges the two records into one entry whose member equals the unranged read', () => {
    const r = parseLdif(ldifText);
    if (!r.ok) throw new Error(`line ${r.line}: ${r.message}`);
    expect(r.entries).toHaveLength(1);
    expect(r.entries[0].dn).toBe(SAMBA_GROUPS.big);
    expect(r.entries[0].attributes.member).toEqual(unranged.get(SAMBA_GROUPS.big));
    expect(Object.keys(r.entries[0].attributes)).toEqual(['cn', 'member']);
  });

  it('gives the same values as python-ldap\'s LDIF parser, whose records joined in order are the reference', () => {
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import io, json, sys, ldif
records = ldif.LDIFRecordList(io.StringIO(sys.stdin.read()))
records.parse()
out = []
for dn, attrs in records.all_records:
    for name, values in attrs.items():
        if name.lower().startswith('member;range='):
            out.extend(v.decode('utf-8') for v in values)
print(json.dumps({'dns': [dn for dn, _ in records.all_records], 'member': out}))`,
      ],
      { input: ldifText, encoding: 'utf8' },
    );
    expect(py.stderr).toBe('');
    const ref = JSON.parse(py.stdout) as { dns: string[]; member: string[] };
    expect(ref.dns).toEqual([SAMBA_GROUPS.big, SAMBA_GROUPS.big]);
    const r = parseLdif(ldifText);
    expect(r.ok && r.entries[0].attributes.member).toEqual(ref.member);
  });

  it('refuses the first range alone, naming its first line and how to export the rest', () => {
    const firstOnly = ldifText.slice(0, ldifText.indexOf('\n\n') + 1);
    const r = parseLdif(firstOnly);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(firstOnly.split('\n')[r.line - 1]).toMatch(/^member;range=0-1499: /);
    expect(r.message).toContain("values from 1500 on are missing; export them too (e.g. ldapsearch ... 'member;range=1500-*')");
  });

  it('`ldap-sync snapshot import` takes the file as a snapshot of one entry with 1,600 members', async () => {
    const env = { ...process.env, LDAP_SYNC_DB: path.join(dir, 'store.sqlite') };
    const r = await runCliInProcess(['snapshot', 'import', 'big-group.ldif', '--name', 'Big', '--json'], { cwd: dir, env });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Big', entries: 1 });
    const exported = await runCliInProcess(['snapshot', 'export', 'Big'], { cwd: dir, env });
    const back = parseLdif(exported.stdout);
    expect(back.ok && back.entries[0].attributes.member).toEqual(unranged.get(SAMBA_GROUPS.big));
  });
});
