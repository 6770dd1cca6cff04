import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { replaceScript } from './script-editor';
import { startSlapd, type Slapd } from '../rig/slapd';

// The admin's path from a saved server to synchronized users: an organization that signs in with the
// server, "Create users" with that default organization, Simulate (a plan of 30 creations), Synchronize
// now (applied), the Users screen, a hand deactivation, the organization's counts, and History.
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 30, logOps: false, sizeLimitedUser: false });
});
test.afterAll(async () => {
  await slapd?.stop();
});

const shots = process.env.UPDATE_SCREENSHOTS === '1';

/** Switches screens with the shell's tabs. */
async function go(app: Page, screen: 'Servers' | 'Sync' | 'History' | 'Organizations' | 'Roles' | 'Users'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

test('simulates and synchronizes a server into a new organization, then deactivates a user and reads the history', async ({ app }) => {
  // A saved server.
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  // No organization signs in with it yet: the default organization has nothing to offer.
  await expect(app.getByText('No organization signs in with this server yet')).toBeVisible();

  // An organization that signs in with it.
  await go(app, 'Organizations');
  await app.getByRole('button', { name: 'New organization' }).click();
  const orgDialog = app.getByTestId('org-dialog');
  await orgDialog.getByLabel('Name').fill('Corp people');
  await orgDialog.getByLabel('Authentication').selectOption({ label: 'LDAP: Corp' });
  await orgDialog.getByLabel('Name').press('Enter');
  await expect(orgDialog).toHaveCount(0);
  const orgRow = app.locator('[data-testid="org-row"][data-name="Corp people"]');
  await expect(orgRow.getByTestId('org-auth')).toHaveText('LDAP: Corp');
  await expect(orgRow.getByTestId('org-users')).toHaveText('0 / 0');
  await expect(orgRow.getByTestId('org-key')).toHaveText(/\S{6,}/);

  // The server's Sync section: create users, into that organization (the form kept its state while hidden).
  await go(app, 'Servers');
  await app.getByLabel('Create users for matching entries that have none').check();
  await app.getByLabel('Default organization for new users').selectOption({ label: 'Corp people' });
  await expect(app.getByTestId('default-org-warning')).toHaveCount(0);
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();

  // Simulate: a plan of 30 creations, counted on the chips, nothing changed.
  await go(app, 'Sync');
  const card = app.locator('[data-testid="sync-server"][data-server-name="Corp"]');
  await expect(card.getByTestId('sync-managed-orgs')).toHaveText('Corp people');
  await expect(card.getByTestId('sync-last-sync')).toHaveText('Never');
  await card.getByRole('button', { name: 'Simulate' }).click();
  const outcome = card.getByTestId('run-outcome');
  await expect(outcome.getByTestId('run-status')).toHaveText('Simulated');
  await expect(outcome.getByTestId('run-counts')).toHaveText('30 created');
  const plan = app.getByTestId('plan-view');
  await expect(plan.getByTestId('plan-chip-create')).toHaveText('Create 30');
  await expect(plan.getByTestId('plan-chip-all')).toHaveText('All 30');
  await expect(plan.getByTestId('plan-chip-deactivate')).toBeDisabled();
  await expect(plan.locator('[data-testid="plan-row"][data-username="user00001"]')).toContainText('Create');
  await expect(plan.locator('[data-testid="plan-row"][data-username="user00001"]')).toContainText('Corp people');
  await expect(plan.getByTestId('plan-status')).toHaveText('30 changes');
  // The search narrows the plan by username or DN.
  await plan.getByPlaceholder('Search username or DN').fill('user0002');
  await expect(plan.getByTestId('plan-status')).toHaveText('10 of 30 changes shown');
  await expect(plan.getByTestId('plan-row')).toHaveCount(10);
  await plan.getByPlaceholder('Search username or DN').fill('');
  await expect(plan.getByTestId('plan-status')).toHaveText('30 changes');
  // Export CSV saves the whole plan as a file.
  const download = app.waitForEvent('download');
  await plan.getByRole('button', { name: 'Export CSV' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);

  // Synchronize now: applied; the card's last sync follows.
  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(outcome.getByTestId('run-status')).toHaveText('Applied');
  await expect(outcome.getByTestId('run-counts')).toHaveText('30 created');
  await expect(card.getByTestId('sync-last-sync')).toContainText('Applied');
  await expect(card.getByTestId('sync-managed-users')).toHaveText('30');
  if (shots) await app.screenshot({ path: 'docs/screenshots/sync.png' });

  // The Users screen lists them; deactivate one by hand, after confirmation.
  await go(app, 'Users');
  await expect(app.getByTestId('users-total')).toHaveText('30 users');
  const user1 = app.locator('[data-testid="user-row"][data-username="user00001"]');
  await expect(user1).toContainText('user00001@example.com');
  await expect(user1).toContainText('Corp people');
  await expect(user1.getByTestId('user-status')).toHaveText('Active');
  await user1.getByRole('button', { name: 'Deactivate user00001' }).click();
  const confirm = app.getByTestId('user-active-dialog');
  await expect(confirm).toContainText('only an admin can');
  await confirm.getByRole('button', { name: 'Deactivate' }).click();
  await expect(confirm).toHaveCount(0);
  await expect(user1.getByTestId('user-status')).toContainText('Deactivated by admin');
  await expect(user1.getByRole('button', { name: 'Reactivate user00001' })).toBeVisible();
  await app.getByLabel('Search users').fill('user00001');
  await expect(app.getByTestId('users-total')).toHaveText('1 user match');

  // The organization counts its active and total users.
  await go(app, 'Organizations');
  await expect(orgRow.getByTestId('org-users')).toHaveText('29 / 30');
  await expect(orgRow.getByRole('button', { name: 'Delete Corp people' })).toBeDisabled();

  // Roles: add, rename in place (Enter), delete an unused one after confirmation.
  await go(app, 'Roles');
  await app.getByLabel('New role name').fill('Auditors');
  await app.getByLabel('New role name').press('Enter');
  const role = app.locator('[data-testid="role-row"][data-name="Auditors"]');
  await expect(role.getByTestId('role-users')).toHaveText('0');
  await role.getByRole('button', { name: 'Rename Auditors' }).click();
  await app.getByLabel('New name for Auditors').fill('Auditor');
  await app.getByLabel('New name for Auditors').press('Enter');
  const renamed = app.locator('[data-testid="role-row"][data-name="Auditor"]');
  await expect(renamed).toBeVisible();
  await renamed.getByRole('button', { name: 'Delete Auditor' }).click();
  await app.getByTestId('delete-role-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(renamed).toHaveCount(0);

  // An Active script that deactivates the contractors (every third user) goes over the 10% limit:
  // the sync is held, nothing changes until the admin reviews and applies exactly that plan.
  await go(app, 'Servers');
  await replaceScript(app, 'Active script', "function(entry) { return entry.employeeType != 'contractor'; }");
  await expect(app.getByRole('heading', { name: 'Corp — unsaved changes' })).toBeVisible();
  await app.keyboard.press('Control+s');
  // Saved once the title loses its "unsaved changes" mark (the Save button is also off while saving).
  await expect(app.getByRole('heading', { name: 'Corp', exact: true })).toBeVisible();
  await expect(app.getByTestId('save-notice')).toBeVisible();
  await go(app, 'Sync');
  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(outcome.getByTestId('run-status')).toHaveText('Held');
  const held = outcome.getByTestId('held-box');
  await expect(held).toContainText('more than 10%');
  await held.getByRole('button', { name: 'Review plan' }).click();
  await expect(plan.getByTestId('plan-chip-deactivate')).toHaveText('Deactivate 9');
  await expect(plan.locator('[data-testid="plan-row"][data-username="user00004"]')).toContainText('Deactivate');
  await held.getByRole('button', { name: 'Apply this plan' }).click();
  await app.getByTestId('approve-dialog').getByRole('button', { name: 'Apply plan' }).click();
  await expect(outcome.getByTestId('run-status')).toHaveText('Applied');
  await expect(outcome.getByTestId('run-counts')).toHaveText('9 deactivated');
  await expect(card.getByTestId('held-box')).toHaveCount(0);

  // History: every run, newest first; the chart of managed and active users; a run's plan.
  await go(app, 'History');
  const runs = app.getByTestId('run-row');
  await expect(runs).toHaveCount(4);
  await expect(runs.nth(0)).toContainText('Approval');
  await expect(runs.nth(0).getByTestId('run-status')).toHaveText('Applied');
  await expect(runs.nth(1).getByTestId('run-status')).toHaveText('Approved');
  await expect(runs.nth(2).getByTestId('run-status')).toHaveText('Applied');
  await expect(runs.nth(3)).toContainText('Simulate');
  await expect(runs.nth(3).getByTestId('run-status')).toHaveText('Simulated');
  await expect(app.getByTestId('users-chart')).toBeVisible();
  await expect(app.getByTestId('users-chart')).toContainText('Latest: 30 managed, 20 active');
  await runs.nth(2).getByRole('button').click();
  const detail = app.getByTestId('run-detail');
  await expect(detail).toContainText('Sync of Corp');
  await expect(detail.getByTestId('run-detail-counts')).toHaveText('30 created');
  await expect(detail.getByTestId('plan-chip-create')).toHaveText('Create 30');
  await app.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Simulated' });
  await expect(runs).toHaveCount(1);
  if (shots) await app.screenshot({ path: 'docs/screenshots/history.png' });
});
