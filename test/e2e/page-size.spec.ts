import { test, expect } from './fixtures';
import { startSlapd, type Slapd } from '../rig/slapd';

// Issue 15.4: the Directory page size field of the setup form: checked as typed, used by the connection test
// (its ldapsearch line), saved with the server and shown again when it is reopened.
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 1200, logOps: false });
});
test.afterAll(async () => {
  await slapd?.stop();
});

test('sets a page size: a bad one is named, a good one is tested, saved and shown again', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Paged');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  const pageSize = app.getByLabel('Directory page size');
  await expect(pageSize).toHaveValue('1000');

  await pageSize.fill('5');
  await pageSize.blur();
  const error = app.locator('#server-page-size-error');
  await expect(error).toHaveText('Enter a page size from 10 to 5000 entries (default 1000)');

  await pageSize.fill('300');
  await pageSize.blur();
  await expect(error).toHaveCount(0);
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 1,200 matches');
  await expect(app.getByTestId('ldapsearch-command')).toContainText('-E pr=300/noprompt');

  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await app.reload();
  await app.getByTestId('server-item').getByRole('button', { name: 'Paged' }).click();
  await expect(app.getByLabel('Directory page size')).toHaveValue('300');
});
