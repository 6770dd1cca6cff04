import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter } from '../../src-main/ipc/router';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import type { PreviewResult, PreviewRow } from '../../src-shared/domain/preview';
import type { ServerDraft } from '../../src-shared/domain/server';
import { EXTRAS, GIF_BYTES, JPEG_BYTES } from '../rig/extra-entries';
import { parseOps, startSlapd, type Slapd } from '../rig/slapd';
import { openTestApp, preview, requestedAttributes, rigDraft, type TestApp } from './preview-fixture';

const BY_UID = '(&(objectClass=inetOrgPerson)(uid=?))';
const BY_MAIL = '(&(objectClass=inetOrgPerson)(mail=?))';

let slapd: Slapd;
let t: TestApp;

beforeAll(async () => {
  slapd = await startSlapd({ users: 5, extras: true });
});
afterAll(() => slapd?.stop());
beforeEach(async () => {
  t = await openTestApp();
});
afterEach(() => t.close());

const extras = (over: Partial<ServerDraft> = {}) => rigDraft(slapd, over, slapd.extrasDn);
const scripts = (s: Partial<ServerDraft['scripts']>): ServerDraft['scripts'] => ({ active: 'function(entry) { return true; }', orgName: null, roleName: null, ...s });
const rowOf = (r: PreviewResult, username: string): PreviewRow => {
  const row = r.rows.find((x) => x.username === username);
  if (!row) throw new Error(`no row ${username} in ${JSON.stringify(r.rows.map((x) => x.username))}`);
  return row;
};
const codes = (row: PreviewRow) => row.errors.map((e) => e.code);

describe('the entry object scripts receive, end to end', () => {
  it('has case-insensitive names, undefined for absent attributes, first values, all() and has(), binary values as base64', async () => {
    const probe = `function(entry) {
      return JSON.stringify([entry.givenname === entry.givenName, entry.GIVENNAME, entry.mail, entry.all('mail'), entry.all('MAIL').length,
        entry.nosuchattr === undefined, entry.all('nosuchattr'), entry.has('Mail', 'multi.two@example.org'), entry.jpegPhoto, entry.dn]);
    }`;
    const r = await preview(t.app, slapd, extras({ scripts: scripts({ orgName: probe }) }));
    const multi = JSON.parse(rowOf(r, 'multi').org!);
    expect(multi).toEqual([true, 'Maria', EXTRAS.multi.mails[0], [...EXTRAS.multi.mails], 3, true, [], true, JPEG_BYTES.toString('base64'), `uid=multi,${slapd.extrasDn}`]);
    const nomail = JSON.parse(rowOf(r, 'nomail').org!);
    // JSON.stringify writes an undefined array element as null.
    expect(nomail).toEqual([true, 'Nils', null, [], 0, true, [], false, GIF_BYTES.toString('base64'), `uid=nomail,${slapd.extrasDn}`]);
  });

  it('asks the directory only for the attributes the mapping, the username and the scripts use; for all when the scripts name them dynamically', async () => {
    const before = (await requestedAttributes(slapd)).length;
    await preview(t.app, slapd, extras({ scripts: scripts({ active: "function(entry) { return entry.employeeType != 'former'; }" }) }));
    const fixed = (await requestedAttributes(slapd)).slice(before);
    // The count asks for no attributes (1.1), the page search for exactly these.
    expect(fixed).toContain('1.1');
    expect(fixed).toContain('employeeType givenName mail sn uid');
    await preview(t.app, slapd, extras({ scripts: scripts({ active: "function(entry) { var k = 'employee' + 'Type'; return entry[k] != 'former'; }" }) }));
    expect((await requestedAttributes(slapd)).slice(before)).toContain('*');
  });
});

describe('rows of the preview', () => {
  it('gives one user per mail value when the filter matches on mail, grouped under their entry, and flags a mail two entries share', async () => {
    const r = await preview(t.app, slapd, extras({ searchFilter: BY_MAIL }));
    expect(r.total).toBe(3);
    expect(r.summary).toMatchObject({ entries: 3, users: 5, active: 5, inactive: 0 });
    const multiRows = r.rows.filter((row) => row.dn.startsWith('uid=multi,'));
    expect(multiRows.map((row) => row.username)).toEqual([...EXTRAS.multi.mails]);
    expect(new Set(multiRows.map((row) => row.entryIndex)).size).toBe(1);
    expect(multiRows.every((row) => row.email === EXTRAS.multi.mails[0] && row.firstName === 'Maria' && row.lastName === 'Multi')).toBe(true);
    const shared = r.rows.filter((row) => row.username === 'multi.one@example.org');
    expect(shared).toHaveLength(2);
    for (const row of shared) expect(codes(row)).toEqual(['DUPLICATE_USERNAME']);
    expect(rowOf(r, 'multi.two@example.org').errors).toEqual([]);
  });

  it('gives two users for two uid values, flags a missing email, and keeps the other rows clean', async () => {
    const r = await preview(t.app, slapd, extras());
    expect(r.total).toBe(4);
    expect(usernames(r)).toEqual(['multi', 'nomail', 'shared', 'twouids', 'twouids-alias']);
    expect(rowOf(r, 'twouids').entryIndex).toBe(rowOf(r, 'twouids-alias').entryIndex);
    expect(rowOf(r, 'nomail')).toMatchObject({ email: null, firstName: 'Nils', lastName: 'Nomail', active: true });
    expect(codes(rowOf(r, 'nomail'))).toEqual(['MISSING_EMAIL']);
    expect(rowOf(r, 'multi').errors).toEqual([]);
    expect(r.summary).toMatchObject({ entries: 4, users: 5, errors: 1 });
  });

  it('keeps what the Org and Role scripts return and flags organizations and roles that do not exist yet, ignoring case', async () => {
    insertOrganization(t.app.store.db, { name: 'SALES' });
    const r = await preview(t.app, slapd, extras({
      scripts: scripts({
        orgName: 'function(entry) { return entry.o; }',
        roleName: "function(entry) { return entry.employeeType == 'admin' ? ['Org Admin', 'Auditor'] : 'desktop user'; }",
      }),
    }));
    expect(rowOf(r, 'multi')).toMatchObject({ org: 'Sales', roles: ['Org Admin', 'Auditor'] });
    expect(rowOf(r, 'multi').errors).toEqual([{ code: 'UNKNOWN_ROLE', severity: 'warning', name: 'Auditor', message: 'No role is named "Auditor" yet: create it, or a sync cannot give this role', script: 'roleName' }]);
    expect(rowOf(r, 'nomail')).toMatchObject({ org: 'Nowhere Inc', roles: ['desktop user'] });
    expect(codes(rowOf(r, 'nomail'))).toEqual(['MISSING_EMAIL', 'UNKNOWN_ORG']);
    expect(rowOf(r, 'shared')).toMatchObject({ org: null, roles: ['desktop user'], errors: [] });
    // Unknown names are warnings, listed once for the one action that creates them.
    expect(r.missing).toEqual({ organizations: ['Nowhere Inc'], roles: ['Auditor'] });
    expect(r.summary.warnings).toBeGreaterThan(0);
  });

  it('has org null and roles [] without Org and Role scripts', async () => {
    const r = await preview(t.app, slapd, extras());
    for (const row of r.rows) expect(row).toMatchObject({ org: null, roles: [] });
    expect(r.costs.orgName).toBeNull();
    expect(r.costs.roleName).toBeNull();
    expect(r.costs.active).toEqual(expect.any(Number));
  });

  it('returns console.log output, the attribute names seen, the filter and the ldapsearch equivalent', async () => {
    const r = await preview(t.app, slapd, extras({ scripts: scripts({ active: "function(entry) { console.log('checking', entry.uid); return true; }" }) }));
    expect(r.logs).toContainEqual({ script: 'active', dn: `uid=multi,${slapd.extrasDn}`, text: 'checking multi' });
    // Names the page did not fetch come from a types-only sample, for the pickers and completion.
    expect(r.attributes).toEqual(expect.arrayContaining(['cn', 'employeeType', 'givenName', 'jpegPhoto', 'mail', 'o', 'objectClass', 'sn', 'uid']));
    expect(r.filter).toBe('(&(objectClass=inetOrgPerson)(uid=*))');
    expect(r.ldapsearch).toContain(`-b '${slapd.extrasDn}'`);
    expect(r.ldapsearch).toContain('-E pr=50/noprompt');
    expect(r.ldapsearch).not.toContain(slapd.syncPw);
  });
});

describe('the raw view', () => {
  it('shows every attribute as returned, operational ones too, binary values as size plus base64', async () => {
    const draft = extras();
    await preview(t.app, slapd, draft);
    const raw = await t.app.preview.raw({ sessionId: 's1', draft, password: { kind: 'value', value: slapd.syncPw }, dn: `uid=multi,${slapd.extrasDn}` });
    const attr = (name: string) => raw.attributes.find((a) => a.name === name)?.values;
    expect(attr('mail')).toEqual(EXTRAS.multi.mails.map((text) => ({ kind: 'text', text })));
    expect(attr('jpegPhoto')).toEqual([{ kind: 'binary', size: JPEG_BYTES.length, base64: JPEG_BYTES.toString('base64') }]);
    expect(attr('entryUUID')?.[0].kind).toBe('text');
    expect(raw.attributes.map((a) => a.name)).not.toContain('*');
    const gif = await t.app.preview.raw({ sessionId: 's1', draft, password: { kind: 'value', value: slapd.syncPw }, dn: `uid=nomail,${slapd.extrasDn}` });
    expect(gif.attributes.find((a) => a.name === 'jpegPhoto')?.values).toEqual([{ kind: 'binary', size: GIF_BYTES.length, base64: GIF_BYTES.toString('base64') }]);
  });

  it('refuses an entry outside the search base and says a missing one is gone', async () => {
    const input = { sessionId: 's1', draft: extras(), password: { kind: 'value' as const, value: slapd.syncPw } };
    await expect(t.app.preview.raw({ ...input, dn: slapd.syncDn })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/not below the search base/) });
    await expect(t.app.preview.raw({ ...input, dn: `uid=gone,${slapd.extrasDn}` })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the preview over IPC', () => {
  const ORIGIN = 'app://renderer';
  const ctx = { emit: () => {} };

  it('validates page size, page and search length, runs, checks scripts and closes sessions', async () => {
    const route = createRouter(createHandlers(t.app), { isTrustedSender: (u) => !!u?.startsWith(`${ORIGIN}/`) });
    const call = (method: string, input: unknown) => route(`${ORIGIN}/index.html`, method, input, ctx);
    const base = { sessionId: 'pane-1', draft: extras(), password: { kind: 'value', value: slapd.syncPw }, page: 1, pageSize: 25, search: null };
    for (const bad of [{ pageSize: 30 }, { page: 0 }, { search: 'x'.repeat(257) }, { sessionId: '' }]) {
      const r = await call('preview.run', { ...base, ...bad });
      expect(r.ok === false && r.error.code).toBe('INVALID_INPUT');
    }
    const ok = await call('preview.run', base);
    expect(ok.ok && (ok.data as PreviewResult).total).toBe(4);
    const checked = await call('scripts.check', { scripts: scripts({ active: 'function(entry) {\n  return ;;(\n}' }) });
    expect(checked.ok && (checked.data as { script: string; line: number }[])[0]).toMatchObject({ script: 'active', line: expect.any(Number) });
    expect(await call('preview.close', { sessionId: 'pane-1' })).toEqual({ ok: true, data: { closed: true } });
    expect(await call('preview.close', { sessionId: 'pane-1' })).toEqual({ ok: true, data: { closed: false } });
  });
});

describe('read-only', () => {
  it('writes nothing to the store and sends only bind, search and unbind to the directory', async () => {
    insertOrganization(t.app.store.db, { name: 'Sales' });
    t.app.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = await t.storeBytes();
    const counts = () => ['servers', 'organizations', 'roles'].map((table) => t.app.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get());
    const before = counts();
    const draft = extras({ scripts: scripts({ orgName: 'function(entry) { return entry.o; }', roleName: "function(entry) { return 'Desktop User'; }" }) });
    await preview(t.app, slapd, draft);
    await preview(t.app, slapd, draft, { search: 'multi' });
    await t.app.preview.raw({ sessionId: 's1', draft, password: { kind: 'value', value: slapd.syncPw }, dn: `uid=multi,${slapd.extrasDn}` });
    await t.app.preview.close('s1');
    expect(counts()).toEqual(before);
    expect((await t.storeBytes()).equals(bytes)).toBe(true);
    expect(new Set(parseOps(await slapd.readOpLog()))).toEqual(new Set(['BIND', 'SRCH', 'UNBIND']));
  });
});

const usernames = (r: PreviewResult) => r.rows.map((row) => row.username);
