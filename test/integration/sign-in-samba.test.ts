/**
 * Sign-in against a real Active Directory (Samba AD DC): an allowed user registers and signs in
 * (bound by DN over ldaps, objectGUID kept), a wrong password is INVALID_CREDENTIALS, and a
 * disabled account (userAccountControl 514, the right password) is refused as disabled, from AD's
 * own bind diagnostic (data 533).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import type { OrganizationView } from '../../src-shared/domain/directory';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import type { SignInInput } from '../../src-shared/domain/sign-in';
import { startSambaDc, unicodePwd, type SambaDc } from '../rig/samba';
import { openTestApp, type TestApp } from './preview-fixture';

const AD_FILTER = '(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))';
const ANN_PW = 'Ann-Pass-2026!';
const DEE_PW = 'Dee-Pass-2026!';

let dc: SambaDc;
let t: TestApp;
let app: AppContext;
let org: OrganizationView;

const base = () => `OU=SignIn,${dc.baseDn}`;
function person(cn: string, sam: string, password: string, uac: number): string {
  return [`dn: CN=${cn},${base()}`, 'objectClass: user', `sAMAccountName: ${sam}`, `givenName: ${cn.split(' ')[0]}`, 'sn: SignIn', `mail: ${sam}@samdom.test`, `userPrincipalName: ${sam}@samdom.test`, `unicodePwd:: ${unicodePwd(password)}`, `userAccountControl: ${uac}`].join('\n');
}

beforeAll(async () => {
  dc = await startSambaDc();
  await dc.add([`dn: ${base()}\nobjectClass: organizationalUnit`, person('Ann Able', 'aable', ANN_PW, 512), person('Dee Disabled', 'ddis', DEE_PW, 514)].join('\n\n') + '\n');
  t = await openTestApp({ AD_PW: dc.reader.password });
  app = t.app;
  const server = await app.servers.create(
    { ...emptyServerDraft(), name: 'Samba AD', url: `${dc.ldapsUrl}/${base()}`, bindDn: dc.reader.upn, searchFilter: AD_FILTER, timeoutSeconds: 30, trustedCertificates: [parseTrustedPem(dc.caPem, 'ca')] },
    { kind: 'env', name: 'AD_PW' },
  );
  org = app.directory.createOrg({ name: 'AD people', parentId: null, authServerId: server.id });
}, 180_000);
afterAll(async () => {
  await t?.close();
  await dc?.stop();
});

const attempt = (over: Partial<SignInInput>) => app.auth.signIn({ username: 'aable', password: ANN_PW, registrationKey: org.registrationKey, register: true, device: null, ...over });

describe('sign-in against Active Directory (Samba)', () => {
  it('registers an allowed user and lets them sign in again', async () => {
    const r = await attempt({ device: 'Laptop' });
    expect(r).toMatchObject({ allowed: true, code: 'OK', registered: true, user: { username: 'aable', email: 'aable@samdom.test', org: 'AD people', source: 'Samba AD' } });
    expect(r.steps.find((s) => s.name === 'dn')?.detail).toBe(`CN=Ann Able,${base()}`);
    expect(app.directory.findUser('aable')).toMatchObject({ directoryId: expect.stringMatching(/^objectGUID:[0-9a-f-]{36}$/), devices: 1 });
    expect(await attempt({ registrationKey: null, register: false })).toMatchObject({ allowed: true, code: 'OK' });
  });

  it('refuses a wrong password with INVALID_CREDENTIALS', async () => {
    expect(await attempt({ password: 'Not-Her-Pass-1!' })).toMatchObject({ allowed: false, code: 'INVALID_CREDENTIALS' });
  });

  it('refuses a disabled account with the right password, saying it is disabled', async () => {
    const r = await attempt({ username: 'ddis', password: DEE_PW });
    expect(r).toMatchObject({ allowed: false, code: 'ACCOUNT_RESTRICTED', registered: false });
    expect(r.message).toMatch(/the account is disabled in the directory/);
    expect(app.directory.findUser('ddis')).toBeNull();
  });
});
