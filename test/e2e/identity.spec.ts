import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

// Identity edge cases in the app: after a first sync, one entry is renamed and another deleted and
// re-added with the same uid (a new entryUUID). Synchronize now shows a DN change (from → to) and a
// reused username (old → new ID) in the plan; Relink on that row gives the account to the new entry
// at the next sync, which reactivates it.
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 30, logOps: false, sizeLimitedUser: false });
});
test.afterAll(async () => {
  await slapd?.stop();
});

const ldap = (tool: 'ldapmodify' | 'ldapadd' | 'ldapdelete', input: string, args: string[] = []) =>
  run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, ...args], { input });
const uidDn = (uid: string) => `uid=${uid},${slapd.baseDn}`;

async function go(app: Page, screen: 'Servers' | 'Sync' | 'Organizations'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

test('shows a rename as a DN change and a re-added uid as a reused username, and relinks it from the plan', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await go(app, 'Organizations');
  await app.getByRole('button', { name: 'New organization' }).click();
  const orgDialog = app.getByTestId('org-dialog');
  await orgDialog.getByLabel('Name').fill('Corp people');
  await orgDialog.getByLabel('Authentication').selectOption({ label: 'LDAP: Corp' });
  await orgDialog.getByLabel('Name').press('Enter');
  await expect(orgDialog).toHaveCount(0);
  await go(app, 'Servers');
  await app.getByLabel('Create users for matching entries that have none').check();
  await app.getByLabel('Default organization for new users').selectOption({ label: 'Corp people' });
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();

  await go(app, 'Sync');
  const card = app.locator('[data-testid="sync-server"][data-server-name="Corp"]');
  const outcome = card.getByTestId('run-outcome');
  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(outcome.getByTestId('run-status')).toHaveText('Applied');
  await expect(outcome.getByTestId('run-counts')).toHaveText('30 created');

  // In the directory: user00001 renamed; user00002 deleted and added again (a new entryUUID).
  await ldap('ldapmodify', `dn: ${uidDn('user00001')}\nchangetype: modrdn\nnewrdn: uid=user00001b\ndeleteoldrdn: 1\n`);
  const entry = (await run('ldapsearch', ['-x', '-LLL', '-o', 'ldif-wrap=no', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw, '-b', uidDn('user00002'), '-s', 'base', '(objectClass=*)'])).stdout;
  await ldap('ldapdelete', '', [uidDn('user00002')]);
  await ldap('ldapadd', entry);

  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(outcome.getByTestId('run-status')).toHaveText('Applied');
  await expect(outcome.getByTestId('run-counts')).toHaveText('1 deactivated · 1 updated · 1 DN change · 1 reused username');
  const plan = app.getByTestId('plan-view');
  await expect(plan.getByTestId('plan-chip-dn')).toHaveText('DN change 1');
  await expect(plan.getByTestId('plan-chip-reused')).toHaveText('Reused username 1');
  const dnRow = plan.locator('[data-testid="plan-row"][data-action="dn"]');
  await expect(dnRow).toContainText(`${uidDn('user00001')} → ${uidDn('user00001b')}`);
  await expect(dnRow).toContainText('Renamed in the directory');
  const reused = plan.locator('[data-testid="plan-row"][data-action="reused"][data-username="user00002"]');
  await expect(reused).toContainText(/entryUUID:\S+ → entryUUID:\S+/);
  await expect(reused).toContainText('now comes from a different directory entry');

  // The admin says it is the same person: Relink, then the next sync gives the account back.
  await reused.getByTestId('plan-relink').click();
  const dialog = app.getByTestId('reused-username-dialog');
  await expect(dialog).toContainText('The sync did not give the account to the new entry.');
  await dialog.getByRole('button', { name: 'Same person: relink' }).click();
  await expect(dialog.getByTestId('reused-done')).toHaveText('Relinked: the next sync gives the account to the entry that has the username then.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(outcome.getByTestId('run-counts')).toHaveText('1 reactivated');
  await expect(plan.locator('[data-testid="plan-row"][data-action="reactivate"][data-username="user00002"]')).toBeVisible();
});
