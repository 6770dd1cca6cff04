/**
 * Issue 15.4/15.5 against a real 389 Directory Server (test/rig/dirsrv.ts, 3,000 people): limits
 * named with 389-ds's settings, the page size that gets past a per-page size limit, a locked bind
 * account named as locked, a filter matching nobody warned about, and the doctor's ldapsearch line
 * working when pasted (LDAPTLS_CACERT names the instance's private CA).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { runDoctor } from '../../src-main/ldap/doctor';
import { readStrict } from '../../src-main/ldap/strict-read';
import { targetFromDraft } from '../../src-main/ldap/target';
import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { run } from '../rig/exec';
import { startDirsrv, type Dirsrv } from '../rig/dirsrv';

let ds: Dirsrv;
beforeAll(async () => {
  ds = await startDirsrv();
}, 180_000);
afterAll(async () => {
  await ds?.stop();
});

const stage = (r: DoctorReport, name: string): StageResult => r.stages.find((s) => s.name === name)!;
const shellEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LDAPTLS_')));

function draft(over: Partial<ServerDraft> = {}): ServerDraft {
  return {
    ...emptyServerDraft(),
    name: 'DS',
    url: `${ds.ldapsUrl}/${ds.peopleDn}`,
    bindDn: ds.reader.dn,
    timeoutSeconds: 20,
    trustedCertificates: [parseTrustedPem(ds.caPem, 'ca')],
    ...over,
  };
}

/** Sets (or with null removes) a per-account limit attribute on the reader's entry. */
async function readerLimit(attribute: string, value: number | null): Promise<void> {
  const change = value === null ? `delete: ${attribute}\n` : `replace: ${attribute}\n${attribute}: ${value}\n`;
  await ds.modify(`dn: ${ds.reader.dn}\nchangetype: modify\n${change}\n`);
}

const readAll = (over: Partial<ServerDraft>) =>
  readStrict({ target: targetFromDraft(draft(over)), password: ds.reader.password, attributes: ['uid'], onPage: () => {} });

describe('389-ds: limits, page size and the doctor', () => {
  it('counts all 3,000 people past the 2,000 size limit, and prints an ldapsearch line that works when pasted', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft()), password: ds.reader.password });
    expect(r.error).toBeNull();
    expect(r.matches).toBe(ds.people);
    expect(r.ldapsearch).toMatch(/^LDAPTLS_CACERT='[^']+' ldapsearch -x -H 'ldaps:\/\/127\.0\.0\.1:\d+' /);
    const { stdout } = await run('sh', ['-c', r.ldapsearch.replace(' -W ', ` -w '${ds.reader.password}' `)], { env: shellEnv() });
    expect(stdout.match(/^dn: /gm)).toHaveLength(ds.people);
  });

  it('a per-page size limit below the page size: the doctor names 389-ds\'s settings and the page size that reads everything', async () => {
    await readerLimit('nsPagedSizeLimit', 500);
    try {
      const r = await runDoctor({ target: targetFromDraft(draft()), password: ds.reader.password });
      expect(r.error?.code).toBe('SIZE_LIMIT');
      expect(stage(r, 'search').ok).toBe(false);
      const message = r.error!.message;
      expect(message).toContain('The directory (389 Directory Server) stopped the search early: size limit exceeded');
      expect(message).toContain('nsSizeLimit and nsPagedSizeLimit on the bind entry, or nsslapd-sizelimit');
      expect(message).toContain(`With a page size of 200 the same search reads all ${ds.people.toLocaleString('en-US')} entries`);
      expect(message).toContain('Set Directory page size to 200');

      // A sync's read fails the same way with 1,000, and reads everyone with the suggested page size.
      await expect(readAll({})).rejects.toMatchObject({ code: 'SIZE_LIMIT', message: expect.stringContaining('nsPagedSizeLimit') });
      expect(await readAll({ pageSize: 200 })).toMatchObject({ entries: ds.people, pages: ds.people / 200 });
      const small = await runDoctor({ target: targetFromDraft(draft({ pageSize: 200 })), password: ds.reader.password });
      expect(small.error).toBeNull();
      expect(small.matches).toBe(ds.people);
    } finally {
      await readerLimit('nsPagedSizeLimit', null);
    }
  });

  it('a look-through limit: "administrative limit exceeded" names nsLookThroughLimit and the ID list scan limit', async () => {
    await readerLimit('nsLookThroughLimit', 1000);
    try {
      const r = await runDoctor({ target: targetFromDraft(draft()), password: ds.reader.password });
      expect(r.error?.code).toBe('SIZE_LIMIT');
      expect(r.error!.message).toContain('(389 Directory Server) stopped the search early: administrative limit exceeded');
      for (const setting of ['nsLookThroughLimit', 'nsslapd-lookthroughlimit', 'nsslapd-idlistscanlimit']) expect(r.error!.message).toContain(setting);
    } finally {
      await readerLimit('nsLookThroughLimit', null);
    }
  });

  it('a bind account locked with nsAccountLock is named as locked, not as a wrong password', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft({ bindDn: ds.locked.dn })), password: ds.locked.password });
    expect(stage(r, 'bind').ok).toBe(false);
    expect(r.error?.code).toBe('BIND_ACCOUNT_LOCKED');
    expect(r.error!.message).toContain(`"${ds.locked.dn}" is locked (inactivated)`);
    expect(r.error!.message).toContain('nsAccountLock');
    expect(r.error!.message).toContain('The password is not the problem');
    expect(r.error!.message).not.toMatch(/check the bind DN and password/i);
  });

  it('warns when the filter matches nobody below a base the account can read', async () => {
    const r = await runDoctor({ target: targetFromDraft(draft({ searchFilter: '(&(objectClass=inetOrgPerson)(departmentNumber=nowhere)(uid=?))' })), password: ds.reader.password });
    expect(r.error).toBeNull();
    expect(r.matches).toBe(0);
    expect(stage(r, 'search').detail).toContain('Warning: a filter matching nobody would deactivate every managed user');
    expect(stage(r, 'search').detail).toContain('389-ds: a read ACI');
  });
});
