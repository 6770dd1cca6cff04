import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { replaceScript } from './script-editor';

// AD data over an imported LDIF snapshot, offline: the raw view shows objectSid and objectGUID as
// text, and a Role name script using the groups helpers sees nested membership from the snapshot's groups,
// in the preview, the raw view and a test case made there.

const SID = Buffer.from('010500000000000515000000a1b2c3d4e5f60718293a4b5c51040000', 'hex').toString('base64');
const GUID = Buffer.from('9c9f3a0d1c7d4e4a9e5b1f5e0c2d9a11', 'hex').toString('base64');

const AD_LDIF = `version: 1

dn: CN=Joan Smith,OU=People,DC=samdom,DC=test
objectClass: user
sAMAccountName: jsmith
mail: joan@samdom.test
userAccountControl: 512
objectSid:: ${SID}
objectGUID:: ${GUID}

dn: CN=Ken Lee,OU=People,DC=samdom,DC=test
objectClass: user
sAMAccountName: klee
mail: ken@samdom.test
userAccountControl: 514

dn: CN=GG-Inner,OU=Groups,DC=samdom,DC=test
objectClass: group
member: CN=Joan Smith,OU=People,DC=samdom,DC=test

dn: CN=GG-Outer,OU=Groups,DC=samdom,DC=test
objectClass: group
member: CN=GG-Inner,OU=Groups,DC=samdom,DC=test
`;

async function go(app: Page, screen: 'Servers' | 'Snapshots'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

const row = (app: Page, username: string) => app.locator(`[data-testid="preview-row"][data-username="${username}"]`);
const entryOf = (app: Page, username: string) => app.locator('tbody.entry-group', { has: row(app, username) });

test('shows SIDs and GUIDs as text in the raw view, and nested groups from a snapshot in the preview', async ({ app, fileDialog, tempDir }) => {
  await go(app, 'Snapshots');
  await app.getByRole('button', { name: 'Import LDIF…' }).click();
  const dialog = app.getByTestId('import-dialog');
  const file = join(tempDir, 'ad.ldif');
  writeFileSync(file, AD_LDIF);
  await fileDialog.choose(file);
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await dialog.getByLabel('Name').fill('AD export');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0);

  await go(app, 'Servers');
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Offline AD');
  await app.getByLabel('URL and search base').fill('ldaps://dc1.samdom.test/DC=samdom,DC=test');
  await app.getByLabel('Search filter').fill('(&(objectClass=user)(sAMAccountName=?))');
  await app.getByLabel('Offline (no connection: this server reads only its snapshot)').check();
  await app.getByLabel('Attached snapshot').selectOption({ label: 'AD export · 4 entries' });
  await expect(app.getByTestId('preview-row')).toHaveCount(2);

  await entryOf(app, 'jsmith').getByRole('button', { name: 'Raw' }).click();
  const raw = app.getByTestId('raw-view');
  await expect(raw.locator('[data-testid="raw-attribute"][data-name="objectSid"] [data-testid="raw-ad-text"]')).toHaveText('S-1-5-21-3569595041-403175141-1548433961-1105');
  await expect(raw.locator('[data-testid="raw-attribute"][data-name="objectGUID"] [data-testid="raw-ad-text"]')).toHaveText('0d3a9f9c-7d1c-4a4e-9e5b-1f5e0c2d9a11');
  await expect(raw.locator('[data-testid="raw-attribute"][data-name="objectGUID"]')).toContainText('16 bytes');
  await app.keyboard.press('Escape');
  await expect(raw).toHaveCount(0);

  await app.getByRole('button', { name: 'Add Role name script' }).click();
  await replaceScript(app, 'Role name script', "function(entry) { return groups.isMember(entry, 'GG-Outer') ? ['Outer'] : []; }");
  await expect(row(app, 'jsmith')).toContainText('Outer');
  await expect(row(app, 'klee')).not.toContainText('Outer');

  // The editor completes the helpers: `ad.is` offers isDisabled, inserted with its argument. (Clicked:
  // the editor ignores Enter for a moment after the list opens, so a fast typist does not pick by accident.)
  await replaceScript(app, 'Active script', 'function(entry) { return !ad.i }');
  await app.keyboard.press('ArrowLeft');
  await app.keyboard.press('ArrowLeft');
  await app.keyboard.type('s');
  const completions = app.locator('.cm-tooltip-autocomplete');
  await expect(completions.getByRole('option')).toHaveText([/^isDisabled/]);
  await completions.getByRole('option').first().click();
  await expect(app.getByRole('textbox', { name: 'Active script' })).toHaveText('function(entry) { return !ad.isDisabled(entry) }');
  // Ken Lee's userAccountControl is 514 (ACCOUNTDISABLE | NORMAL_ACCOUNT).
  await expect(row(app, 'klee')).toHaveAttribute('data-active', 'false');
  await expect(row(app, 'jsmith')).toHaveAttribute('data-active', 'true');

  // With a script using the groups helpers, the raw view lists the entry's groups, nearest first,
  // and a test case made there keeps them: it passes, as the row does.
  await entryOf(app, 'jsmith').getByRole('button', { name: 'Raw' }).click();
  await expect(raw.getByTestId('raw-groups').getByRole('listitem')).toHaveText(['CN=GG-Inner,OU=Groups,DC=samdom,DC=test', 'CN=GG-Outer,OU=Groups,DC=samdom,DC=test']);
  if (process.env.UPDATE_SCREENSHOTS === '1') await raw.screenshot({ path: 'docs/screenshots/raw-view-groups.png' });
  await raw.getByRole('button', { name: 'Add as test case' }).click();
  await expect(app.getByTestId('test-case-added')).toContainText('Added jsmith as a test case of');
  const roleCases = app.getByTestId('test-cases-roleName').getByTestId('test-case');
  await expect(roleCases).toHaveCount(1);
  await expect(roleCases.first()).toHaveAttribute('data-status', 'pass');

  // Its dialog shows the groups, one per line; a line that is no DN is refused, naming the line;
  // without the outer group the case fails, expected against actual.
  await app.getByTestId('test-cases-roleName').getByRole('button', { name: 'Edit test case jsmith' }).click();
  const caseDialog = app.getByTestId('test-case-dialog');
  const groupsField = caseDialog.getByLabel('Groups');
  await expect(groupsField).toHaveValue('CN=GG-Inner,OU=Groups,DC=samdom,DC=test\nCN=GG-Outer,OU=Groups,DC=samdom,DC=test');
  if (process.env.UPDATE_SCREENSHOTS === '1') await caseDialog.screenshot({ path: 'docs/screenshots/test-case-groups.png' });
  await groupsField.fill('GG-Inner');
  await caseDialog.getByRole('button', { name: 'Save case' }).click();
  await expect(caseDialog.getByTestId('test-case-problem')).toContainText('Groups, line 1');
  await groupsField.fill('CN=GG-Inner,OU=Groups,DC=samdom,DC=test');
  await caseDialog.getByRole('button', { name: 'Save case' }).click();
  await expect(caseDialog).toHaveCount(0);
  await expect(roleCases.first()).toHaveAttribute('data-status', 'fail');
  await expect(roleCases.first().getByTestId('test-case-detail')).toHaveText('Expected "Outer", got (no roles)');
});
