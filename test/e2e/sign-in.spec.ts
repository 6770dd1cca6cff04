import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { axeViolations, horizontalOverflow, overlaps } from './layout-checks';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

// The app's panels of issue 14 against a real slapd: Test sign-in (each step with its time, the
// search's ldapsearch line, registration with a key and a device), the user's detail page with
// devices, local users added by hand with a local password (and LDAP_MANAGED for a directory user),
// CSV import checked first (row, column, reason; all or nothing), users export, registration key
// rotation, and an organization's sign-in change explained before saving. Keyboard and axe along the way.

let slapd: Slapd;
const LOCAL_PW = 'a-local-password-42';
const ODD_UID = 'star*(user)';

test.beforeAll(async () => {
  slapd = await startSlapd({ users: 5, logOps: false, sizeLimitedUser: false });
  const entry = `dn: uid=${ODD_UID},${slapd.baseDn}\nobjectClass: inetOrgPerson\nuid: ${ODD_UID}\ncn: Odd\nsn: Person\nmail: odd@example.com\nuserPassword: ${slapd.userPassword}\n`;
  await run('ldapadd', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: entry });
});
test.afterAll(async () => {
  await slapd?.stop();
});

async function go(app: Page, screen: 'Servers' | 'Organizations' | 'Users' | 'Test sign-in'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

/** Nothing wider than its box, nothing drawn over something else, no serious or critical axe violation. */
async function expectClean(app: Page, where: string): Promise<void> {
  expect(await horizontalOverflow(app), `${where}: horizontal overflow`).toEqual([]);
  expect(await overlaps(app), `${where}: overlaps`).toEqual([]);
  expect(await axeViolations(app), `${where}: axe`).toEqual([]);
}

/** Fills the Test sign-in form and submits it with Enter in the password field (the keyboard path). */
async function signIn(app: Page, o: { username: string; password: string; key?: string; register?: boolean; device?: string }): Promise<Locator> {
  const screen = app.locator('#screen-signin');
  await screen.getByLabel('Username').fill(o.username);
  await screen.getByLabel('Registration key (optional)').fill(o.key ?? '');
  const register = screen.getByRole('switch', { name: 'Register' });
  if ((await register.isChecked()) !== Boolean(o.register)) await register.press('Space');
  if (o.register) await screen.getByLabel('Device name (optional)').fill(o.device ?? '');
  const password = screen.getByLabel('Password', { exact: true });
  await password.fill(o.password);
  const answer = screen.getByTestId('signin-answer');
  const before = Number(await answer.getAttribute('data-attempts'));
  await password.press('Enter');
  await expect(answer).toHaveAttribute('data-attempts', String(before + 1));
  // The password never stays in the page once the attempt is answered.
  await expect(password).toHaveValue('');
  return screen.getByTestId('signin-result');
}

/** The registration key shown on an organization's row. */
function keyOf(app: Page, org: string): Locator {
  return app.locator(`[data-testid="org-row"][data-name="${org}"]`).getByTestId('org-key');
}

/** Adds the server Corp, the organization "Corp people" that signs in with it and the local "Guests"; returns Corp people's key. */
async function addServerAndOrgs(app: Page): Promise<string> {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await go(app, 'Organizations');
  for (const [name, auth] of [
    ['Corp people', 'LDAP: Corp'],
    ['Guests', 'Local'],
  ]) {
    await app.getByRole('button', { name: 'New organization' }).click();
    const dialog = app.getByTestId('org-dialog');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Authentication').selectOption({ label: auth });
    await dialog.getByLabel('Name').press('Enter');
    await expect(dialog).toHaveCount(0);
  }
  return (await keyOf(app, 'Corp people').textContent())!;
}

test('signs users in and registers them, manages local users, CSV, keys and devices', async ({ app }) => {
  test.setTimeout(180_000);
  const corpKey = await addServerAndOrgs(app);
  expect(corpKey.length).toBeGreaterThan(8);

  // Test sign-in: a registration with the key and a device, each step shown with its time.
  await go(app, 'Test sign-in');
  const screen = app.locator('#screen-signin');
  await expect(screen.getByText('The outcome and each step appear here.')).toBeVisible();
  await screen.getByLabel('Use the key of').selectOption({ label: 'Corp people' });
  await expect(screen.getByLabel('Registration key (optional)')).toHaveValue(corpKey);
  let result = await signIn(app, { username: 'user00001', password: slapd.userPassword, key: corpKey, register: true, device: 'Laptop' });
  await expect(result).toHaveAttribute('data-code', 'OK');
  await expect(result.getByTestId('signin-outcome')).toContainText('✓ Allowed');
  await expect(result.getByTestId('signin-outcome')).toContainText('Registered');
  await expect(result.getByTestId('signin-step')).toHaveCount(7);
  expect(await result.getByTestId('signin-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).toEqual(['organization', 'search', 'dn', 'bind', 'scripts', 'registration', 'outcome']);
  await expect(result.getByTestId('signin-step-dn')).toHaveText(slapd.userDn(1));
  await expect(result.locator('[data-step="search"] .signin-step-time')).toHaveText(/^\d+(\.\d)? (ms|s)$/);
  await result.getByText(/Equivalent ldapsearch command/).click();
  await expect(result.getByTestId('signin-ldapsearch')).toContainText('(uid=user00001)');
  await expect(result.getByTestId('signin-ldapsearch')).toHaveText(/^ldapsearch -x -H /);
  await expect(result.getByTestId('signin-user')).toContainText('Corp people');
  await expectClean(app, 'Test sign-in, allowed');

  // A wrong password: the bind is refused, where the admin is looking.
  result = await signIn(app, { username: 'user00001', password: 'not-the-password' });
  await expect(result).toHaveAttribute('data-code', 'INVALID_CREDENTIALS');
  await expect(result.getByTestId('signin-outcome')).toContainText('✗ Refused');
  await expect(result.locator('[data-step="bind"]')).toHaveAttribute('data-ok', 'false');
  // An empty password: refused before any bind (one step only).
  result = await signIn(app, { username: 'user00001', password: '' });
  await expect(result).toHaveAttribute('data-code', 'EMPTY_PASSWORD');
  await expect(result.getByTestId('signin-step')).toHaveCount(1);
  // Filter characters in a username are searched literally (RFC 4515), shown in the search step.
  result = await signIn(app, { username: ODD_UID, password: slapd.userPassword, key: corpKey });
  await expect(result).toHaveAttribute('data-code', 'OK');
  await expect(result.getByTestId('signin-step-search')).toContainText('(uid=star\\2a\\28user\\29)');
  await expect(result.getByTestId('signin-outcome')).not.toContainText('Registered');
  await expectClean(app, 'Test sign-in, refused');

  // The user's detail page: organization, source, the device; the password is the directory's.
  await go(app, 'Users');
  const users = app.locator('#screen-users');
  await users.getByRole('button', { name: 'Details of user00001' }).click();
  let detail = app.getByTestId('user-detail-dialog');
  await expect(detail.getByTestId('user-detail-org')).toHaveText('Corp people');
  await expect(detail.getByTestId('user-detail-source')).toContainText(slapd.userDn(1));
  await expect(detail.locator('[data-testid="device-row"][data-name="Laptop"]')).toHaveAttribute('data-active', 'true');
  await expect(detail.getByTestId('password-ldap-managed')).toContainText('change it in the directory');
  await expect(detail.getByTestId('password-ldap-managed')).toContainText('LDAP_MANAGED');
  await expect(detail.getByLabel(/password/i)).toHaveCount(0);
  await expectClean(app, 'User detail (LDAP)');
  await app.keyboard.press('Escape');
  await expect(detail).toHaveCount(0);

  // A local user by hand: a short password is refused at its field, then added with a good one.
  await users.getByRole('button', { name: 'Add user' }).click();
  const add = app.getByTestId('add-user-dialog');
  await expect(add.getByLabel('Organization')).toHaveValue('Guests');
  expect(await add.getByLabel('Organization').locator('option').allTextContents()).toEqual(['Guests']);
  await add.getByLabel('Username').fill('local1');
  await add.getByLabel('First name (optional)').fill('Lou');
  await add.getByLabel('Password (optional)').fill('short');
  await add.getByLabel('Username').press('Enter');
  await expect(add.locator('#add-user-password-error')).toContainText('at least 12 characters');
  await expectClean(app, 'Add user');
  await add.getByLabel('Password (optional)').fill(LOCAL_PW);
  await add.getByLabel('Username').press('Enter');
  await expect(add).toHaveCount(0);
  await expect(users.getByRole('status').filter({ hasText: 'Added local1 to Guests.' })).toBeVisible();
  await users.getByRole('button', { name: 'Details of local1' }).click();
  detail = app.getByTestId('user-detail-dialog');
  await expect(detail.getByTestId('user-detail-sign-in')).toHaveText('A local password');
  await expect(detail.getByTestId('devices-empty')).toBeVisible();
  const newPw = detail.getByLabel('New local password');
  await newPw.fill(`${LOCAL_PW}-2`);
  await newPw.press('Enter');
  await expect(detail.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();
  await expect(newPw).toHaveValue('');
  await expectClean(app, 'User detail (local)');
  await app.keyboard.press('Escape');
  await go(app, 'Test sign-in');
  result = await signIn(app, { username: 'local1', password: `${LOCAL_PW}-2` });
  await expect(result).toHaveAttribute('data-code', 'OK');
  await expect(result.locator('[data-step="local password"]')).toHaveAttribute('data-ok', 'true');

  // CSV: checked first; a bad row is reported with row, column and reason, and nothing can be imported.
  await go(app, 'Users');
  await users.getByRole('button', { name: 'Import CSV' }).click();
  const csv = app.getByTestId('import-csv-dialog');
  const bad = 'username,org,email\ncsv1,Guests,csv1@example.com\ncsv2,Corp people,csv2@example.com\ncsv3,Nowhere,\n';
  await csv.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  await expect(csv.getByTestId('csv-report')).toHaveAttribute('data-problems', '2');
  await expect(csv.locator('[data-testid="csv-problem"][data-row="3"]')).toContainText('org');
  await expect(csv.locator('[data-testid="csv-problem"][data-row="3"]')).toContainText('LDAP');
  await expect(csv.locator('[data-testid="csv-problem"][data-row="4"]')).toContainText('Nowhere');
  await expect(csv.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await expectClean(app, 'CSV with problems');
  const good = 'username,org,email,firstName\ncsv1,Guests,csv1@example.com,Cee\ncsv2,Guests,,\n';
  await csv.getByLabel('CSV file').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await expect(csv.getByTestId('csv-report')).toHaveAttribute('data-problems', '0');
  await expect(csv.getByTestId('csv-report')).toContainText('csv1, csv2');
  await expect(users.locator('[data-testid="user-row"][data-username="csv1"]')).toHaveCount(0);
  await csv.getByRole('button', { name: 'Import 2 users' }).click();
  await expect(csv).toHaveCount(0);
  await expect(users.getByRole('status').filter({ hasText: 'Imported 2 users.' })).toBeVisible();
  await expect(users.locator('[data-testid="user-row"][data-username="csv1"]')).toHaveCount(1);

  // Export: every user as CSV.
  const download = app.waitForEvent('download');
  await users.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^users-\d{4}-\d\d-\d\d\.csv$/);
  const exported = readFileSync((await file.path())!, 'utf8');
  expect(exported.split('\r\n')[0]).toMatch(/^username,org,email,firstName,lastName,roles,/);
  expect(exported).toContain('user00001,Corp people,user00001@example.com');
  expect(exported).toContain('csv1,Guests,csv1@example.com,Cee');
  await expectClean(app, 'Users with actions');

  // Keys: rotating asks first, then the old key no longer registers anyone.
  await go(app, 'Organizations');
  await app.getByRole('button', { name: 'Rotate the registration key of Corp people' }).click();
  const rotate = app.getByTestId('rotate-key-dialog');
  await expect(rotate).toContainText(corpKey);
  await expect(rotate).toContainText('stops working at once');
  await expectClean(app, 'Rotate key');
  await rotate.getByRole('button', { name: 'Rotate key' }).click();
  await expect(rotate).toHaveCount(0);
  await expect(keyOf(app, 'Corp people')).not.toHaveText(corpKey);
  await go(app, 'Test sign-in');
  result = await signIn(app, { username: 'user00002', password: slapd.userPassword, key: corpKey, register: true, device: 'Phone' });
  await expect(result).toHaveAttribute('data-code', 'UNKNOWN_REGISTRATION_KEY');

  // Changing an organization's sign-in says what it means for its users before saving.
  await go(app, 'Organizations');
  await app.getByRole('button', { name: 'Edit Guests' }).click();
  const edit = app.getByTestId('org-dialog');
  await expect(edit.getByTestId('org-auth-impact')).toHaveCount(0);
  await edit.getByLabel('Authentication').selectOption({ label: 'LDAP: Corp' });
  await expect(edit.getByTestId('org-auth-impact')).toContainText("Guests's 3 users will sign in with their password in \"Corp\"");
  await expectClean(app, 'Organization sign-in change');
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await expect(edit).toHaveCount(0);
  await expect(app.locator('[data-testid="org-row"][data-name="Guests"]').getByTestId('org-auth')).toHaveText('Local');
});

test('follows Registrants not found both ways, refuses a deactivated user, and never asks the directory for a local key', async ({ app }) => {
  test.setTimeout(120_000);
  const corpKey = await addServerAndOrgs(app);
  const guestsKey = (await keyOf(app, 'Guests').textContent())!;
  const screen = app.locator('#screen-signin');

  // Someone the directory does not know, with the LDAP organization's key: denied by default.
  await go(app, 'Test sign-in');
  let result = await signIn(app, { username: 'stranger', password: LOCAL_PW, key: corpKey, register: true });
  await expect(result).toHaveAttribute('data-code', 'REGISTRATION_DENIED');
  await expect(result.getByTestId('signin-step-search')).toContainText('no entry');

  // Registrants not found: place them in Guests (local sign-in); the typed password becomes theirs.
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sync' }).click();
  const settings = app.getByTestId('sync-settings');
  await settings.getByLabel('Place in organization').check();
  await settings.getByLabel('Organization for registrants not found').selectOption('Guests');
  await settings.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(settings.getByTestId('settings-saved')).toBeVisible();
  await go(app, 'Test sign-in');
  result = await signIn(app, { username: 'stranger', password: LOCAL_PW, key: corpKey, register: true });
  await expect(result).toHaveAttribute('data-code', 'OK');
  await expect(result.getByTestId('signin-user')).toContainText('Guests');
  await expect(result.getByTestId('signin-user')).toContainText('Local password');

  // The key of a local organization: no search, no bind.
  result = await signIn(app, { username: 'walk-in', password: LOCAL_PW, key: guestsKey });
  await expect(result).toHaveAttribute('data-code', 'OK');
  expect(await result.getByTestId('signin-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).not.toContain('search');
  expect(await result.getByTestId('signin-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-step')))).not.toContain('bind');

  // A key no organization has.
  result = await signIn(app, { username: 'user00003', password: slapd.userPassword, key: 'no-such-key' });
  await expect(result).toHaveAttribute('data-code', 'UNKNOWN_REGISTRATION_KEY');

  // A user an admin deactivated is refused, and the message says who did it.
  result = await signIn(app, { username: 'user00003', password: slapd.userPassword, key: corpKey, register: true });
  await expect(result).toHaveAttribute('data-code', 'OK');
  await go(app, 'Users');
  await app.locator('#screen-users').getByRole('button', { name: 'Deactivate user00003' }).click();
  await app.getByTestId('user-active-dialog').getByRole('button', { name: 'Deactivate' }).click();
  await expect(app.getByTestId('user-active-dialog')).toHaveCount(0);
  await go(app, 'Test sign-in');
  result = await signIn(app, { username: 'user00003', password: slapd.userPassword });
  await expect(result).toHaveAttribute('data-code', 'DEACTIVATED');
  await expect(result.getByTestId('signin-message')).toContainText('admin');

  // At 1024×700 the panel still fits: the form above the answer, nothing wider than the window.
  await app.setViewportSize({ width: 1024, height: 700 });
  await expect(screen.getByTestId('signin-result')).toBeVisible();
  await expectClean(app, 'Test sign-in at 1024');
});
