import { test, expect } from './fixtures';
import { startSlapd, type Slapd } from '../rig/slapd';
import { startSambaDc, type SambaDc } from '../rig/samba';

// The admin's path through server setup: add, test green, break the password, trust a certificate,
// save, and reopen with the password never shown.
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 1200, logOps: false, tls: 'ca' });
});
test.afterAll(async () => {
  await slapd?.stop();
});

const shots = process.env.UPDATE_SCREENSHOTS === '1';

test('adds a server, tests it green, sees a wrong password fail at bind, trusts the certificate, saves and reopens without the password', async ({ app }) => {
  await expect(app.getByRole('heading', { name: 'Welcome to LDAP Sync Studio' })).toBeVisible();
  await app.getByRole('button', { name: 'Add a server' }).click();

  // Plain ldap:// first: every stage but TLS passes, and matches counts past 1000.
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await expect(app.getByTestId('username-attribute')).toHaveText('Username attribute: uid');
  await app.getByLabel('Bind DN').press('Enter');
  await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 1,200 matches');
  for (const s of ['dns', 'tcp', 'bind', 'base', 'search']) await expect(app.getByTestId(`stage-${s}`)).toHaveAttribute('data-status', 'passed');

  // A wrong password fails the bind stage with the directory's reason and the DN used.
  await app.getByLabel('Bind password').fill('not-the-password');
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('stage-bind')).toHaveAttribute('data-status', 'failed');
  await expect(app.getByTestId('stage-bind-error')).toContainText(/invalid credentials/i);
  await expect(app.getByTestId('stage-bind-error')).toContainText(slapd.syncDn);
  await expect(app.getByTestId('stage-search')).toHaveAttribute('data-status', 'skipped');

  // Switch to ldaps://: the private CA is unknown, so the doctor shows the certificate and offers trust.
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByLabel('URL and search base').fill(`${slapd.ldapsUrl}/${slapd.baseDn}`);
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('stage-tls')).toHaveAttribute('data-status', 'failed');
  const issue = app.getByTestId('certificate-issue');
  await expect(issue).toBeVisible();
  await expect(issue).toContainText('does not trust');
  await expect(app.getByTestId('certificate-fingerprint').first()).toHaveText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(app.getByTestId('stage-bind')).toHaveAttribute('data-status', 'skipped');
  if (shots) await app.screenshot({ path: 'docs/screenshots/certificate.png' });
  await app.getByRole('button', { name: 'Trust this certificate for this server' }).click();
  await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 1,200 matches');
  await expect(app.getByTestId('stage-tls')).toHaveAttribute('data-status', 'passed');
  await expect(app.getByTestId('trusted-certificate')).toHaveCount(1);
  if (shots) await app.screenshot({ path: 'docs/screenshots/server-setup.png' });

  // Save (Ctrl+S): the list shows the server; the password field is gone.
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await expect(app.getByTestId('password-state')).toHaveText('Password stored in the OS keychain');
  await expect(app.getByLabel('Bind password')).toHaveCount(0);

  // Reopen: reload the window and open the server; the password is not shown and not in the page.
  await app.reload();
  await app.getByTestId('server-item').getByRole('button', { name: 'Corp' }).click();
  await expect(app.getByLabel('URL and search base')).toHaveValue(`${slapd.ldapsUrl}/${slapd.baseDn}`);
  await expect(app.getByTestId('password-state')).toHaveText('Password stored in the OS keychain');
  await expect(app.getByLabel('Bind password')).toHaveCount(0);
  expect(await app.content()).not.toContain(slapd.syncPw);
  await expect(app.getByTestId('trusted-certificate')).toHaveCount(1);

  // The saved server tests green with its stored password, and the list shows the result.
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 1,200 matches');
  await expect(app.getByTestId('server-item').getByTestId('server-reachable')).toContainText('✓');
  await expect(app.getByTestId('server-item').getByTestId('server-bind')).toContainText('✓');
  if (shots) await app.screenshot({ path: 'docs/screenshots/servers.png' });
});

test('warns that a host change clears the stored password, and clears it on save', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('password-state')).toHaveText('Password stored in the OS keychain');
  await app.getByLabel('URL and search base').fill(`ldap://localhost:${slapd.ldapPort}/${slapd.baseDn}`);
  await expect(app.getByTestId('password-clear-warning')).toBeVisible();
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('password-cleared-notice')).toBeVisible();
  await expect(app.getByTestId('password-state')).toContainText('Password cleared on');
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('stage-bind')).toHaveAttribute('data-status', 'failed');
  await expect(app.getByTestId('stage-bind-error')).toContainText('Enter the bind password');
});

test('shows field errors while typing and refuses to save an invalid form', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Broken');
  await app.getByLabel('URL and search base').fill('http://dir.example.com/dc=x');
  await app.getByLabel('Search filter').fill('(&(objectClass=person)(uid=x)');
  await app.getByLabel('Search filter').blur();
  await expect(app.getByLabel('URL and search base')).toHaveAttribute('aria-invalid', 'true');
  await expect(app.getByLabel('Search filter')).toHaveAttribute('aria-invalid', 'true');
  await expect(app.getByText(/position \d+/)).toBeVisible();
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByRole('alert')).toBeVisible();
  await expect(app.getByTestId('server-item')).toHaveCount(0);
});

test('duplicates and deletes a server after confirmation, and guards unsaved changes', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind anonymously').check();
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await app.getByLabel('Server name').fill('Corp renamed');
  await app.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(app.getByRole('dialog')).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(app.getByLabel('Server name')).toHaveValue('Corp renamed');
  await app.getByRole('button', { name: 'Duplicate', exact: true }).click();
  await app.getByRole('dialog').getByRole('button', { name: 'Discard' }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(2);
  await expect(app.getByLabel('Server name')).toHaveValue('Corp (copy)');
  await app.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(app.getByRole('dialog')).toContainText('Corp (copy)');
  await app.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(2);
  await app.getByRole('button', { name: 'Delete', exact: true }).click();
  await app.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
});

test('fills the Active Directory preset, detects the search base from the rootDSE, and explains a Global Catalog port', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');

  // The preset fills the filter (sAMAccountName becomes the username), the mapping and the Active script.
  await app.getByTestId('preset-picker').getByRole('button', { name: 'Active Directory' }).click();
  await expect(app.getByLabel('Search filter')).toHaveValue('(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))');
  await expect(app.getByTestId('username-attribute')).toHaveText('Username attribute: sAMAccountName');
  await expect(app.getByLabel('Email attribute')).toHaveValue('mail');
  await expect(app.getByText('(Number(entry.userAccountControl) & 2) === 0')).toBeVisible();
  await expect(app.getByTestId('preset-picker').getByRole('button', { name: 'Active Directory' })).toHaveAttribute('aria-pressed', 'true');
  await expect(app.getByTestId('preset-help')).toContainText('Filled for Active Directory');

  // Detect reads the rootDSE (namingContexts on OpenLDAP) and writes the base into the URL.
  await app.getByLabel('URL and search base').fill(slapd.url);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByTestId('detect-base').click();
  await expect(app.getByLabel('URL and search base')).toHaveValue(`${slapd.url}/${slapd.suffix}`);
  await expect(app.getByTestId('detect-base-result')).toContainText(`Search base ${slapd.suffix} from namingContexts (read as ${slapd.syncDn})`);

  // A Global Catalog port says what it gives and what it lacks; a port with nothing on it fails Detect at the field.
  await app.getByLabel('URL and search base').fill(`ldap://127.0.0.1:3268/${slapd.suffix}`);
  await expect(app.getByTestId('global-catalog-note')).toContainText("Port 3268 is Active Directory's Global Catalog");
  await app.getByTestId('detect-base').click();
  await expect(app.getByTestId('detect-base-error')).toBeVisible();

  // The OpenLDAP preset puts the inetOrgPerson defaults back.
  await app.getByTestId('preset-picker').getByRole('button', { name: 'OpenLDAP' }).click();
  await expect(app.getByLabel('Search filter')).toHaveValue('(&(objectClass=inetOrgPerson)(uid=?))');
});

test.describe('against a real Active Directory (Samba AD DC)', () => {
  let dc: SambaDc;
  test.beforeAll(async () => {
    // The first start on a machine provisions the DC's template (~30 s).
    test.setTimeout(180_000);
    dc = await startSambaDc();
  });
  test.afterAll(async () => {
    await dc?.stop();
  });

  test('names a disabled bind account at the bind stage, not the password, and detects the domain root as the base', async ({ app }) => {
    await app.getByRole('button', { name: 'Add a server' }).click();
    await app.getByLabel('Server name').fill('Samba AD');
    await app.getByTestId('preset-picker').getByRole('button', { name: 'Active Directory' }).click();
    await app.getByLabel('URL and search base').fill(`${dc.ldapsUrl}/${dc.baseDn}`);
    await app.getByLabel('Bind DN').fill(dc.disabledReader.upn);
    await app.getByLabel('Bind password').fill(dc.disabledReader.password);
    await app.getByRole('button', { name: 'Test', exact: true }).click();
    await app.getByRole('button', { name: 'Trust this certificate for this server' }).click();
    await expect(app.getByTestId('stage-bind')).toHaveAttribute('data-status', 'failed');
    await expect(app.getByTestId('stage-bind-error')).toContainText(`The bind account "${dc.disabledReader.upn}" is disabled in Active Directory`);
    await expect(app.getByTestId('stage-bind-error')).toContainText('The password is not the problem');
    await expect(app.getByTestId('stage-bind-error')).toContainText('AcceptSecurityContext error, data 533');

    // With the enabled reader, Detect puts defaultNamingContext into the URL.
    await app.getByLabel('Bind DN').fill(dc.reader.upn);
    await app.getByLabel('Bind password').fill(dc.reader.password);
    await app.getByLabel('URL and search base').fill(dc.ldapsUrl);
    await app.getByTestId('detect-base').click();
    await expect(app.getByLabel('URL and search base')).toHaveValue(`${dc.ldapsUrl}/${dc.baseDn}`);
    await expect(app.getByTestId('detect-base-result')).toContainText(`Search base ${dc.baseDn} from defaultNamingContext (read as ${dc.reader.upn})`);
    await app.getByRole('button', { name: 'Test', exact: true }).click();
    await expect(app.getByTestId('stage-bind')).toHaveAttribute('data-status', 'passed');
  });
});
