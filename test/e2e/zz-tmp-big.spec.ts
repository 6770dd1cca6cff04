import { test, expect } from './fixtures';
import { startSlapd, type Slapd } from '../rig/slapd';

let slapd: Slapd;
test.beforeAll(async () => {
  test.setTimeout(240_000);
  slapd = await startSlapd({ users: 20000, logOps: false, sizeLimitedUser: false });
});
test.afterAll(async () => {
  await slapd?.stop();
});

test('big', async ({ app }) => {
  test.setTimeout(240_000);
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Organizations' }).click();
  await app.getByRole('button', { name: 'New organization' }).click();
  await app.getByTestId('org-dialog').getByLabel('Name').fill('Corp people');
  await app.getByTestId('org-dialog').getByLabel('Authentication').selectOption({ label: 'LDAP: Corp' });
  await app.getByTestId('org-dialog').getByRole('button', { name: 'Create' }).click();
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Servers' }).click();
  await app.getByLabel('Create users for matching entries that have none').check();
  await app.getByLabel('Default organization for new users').selectOption({ label: 'Corp people' });
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Sync' }).click();
  await app.getByRole('button', { name: 'Simulate' }).click();
  await expect(app.getByTestId('run-progress')).toBeVisible();
  await app.waitForTimeout(300);
  await app.screenshot({ path: '/tmp/shots/progress1.png' });
  await expect(app.getByTestId('run-status')).toHaveText('Simulated', { timeout: 120_000 });
  await app.getByRole('button', { name: 'Simulate' }).click();
  await app.waitForTimeout(500);
  await app.screenshot({ path: '/tmp/shots/progress2.png' });
  await expect(app.getByTestId('run-outcome').getByTestId('run-status')).toHaveText('Simulated', { timeout: 120_000 });
  const vp = app.locator('.plan-viewport');
  await vp.focus();
  const t0 = Date.now();
  await vp.evaluate((el) => { el.scrollTop = 280000; });
  await expect(app.locator('[data-testid="plan-row"][data-username="user10001"]')).toBeVisible();
  console.log('scroll to middle took', Date.now() - t0, 'ms; rows in DOM:', await app.locator('.plan-body .plan-row').count());
  await app.keyboard.press('PageDown');
  await app.keyboard.press('ArrowDown');
  await app.screenshot({ path: '/tmp/shots/bigplan.png' });
  await app.keyboard.press('End');
  await expect(app.locator('[data-testid="plan-row"][data-username="user20000"]')).toBeVisible();
});
