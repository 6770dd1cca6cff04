import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { axeViolations, horizontalOverflow } from './layout-checks';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

// The lists an admin works in every day (issue 13.5): a tested server that is saved keeps its test,
// organizations as a tree, names of 100+ characters cut with the full text on hover, sample values in
// the attribute pickers, one mention of the last run per sync card, Users filtered by status, sorted
// by column and deactivated in bulk after confirmation, protected built-in roles, the history chart
// per server at full width, old -> new values in Compare with live, notices that clear themselves,
// placeholders that look like hints, and the OS's light or dark setting.

let slapd: Slapd;
const LONG_UID = `long-${'a'.repeat(115)}`;
const LONG_ORG = `Department of ${'very '.repeat(22)}long names`;

test.beforeAll(async () => {
  slapd = await startSlapd({ users: 12, logOps: false, sizeLimitedUser: false });
  await ldap('ldapadd', `dn: uid=${LONG_UID},${slapd.baseDn}\nobjectClass: inetOrgPerson\nuid: ${LONG_UID}\ncn: Long\nsn: ${'Longname'.repeat(14)}\ngivenName: Lou\nmail: ${LONG_UID}@example.com\n`);
});
test.afterAll(async () => {
  await slapd?.stop();
});

async function ldap(tool: 'ldapadd' | 'ldapmodify', input: string): Promise<void> {
  await run(tool, ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input });
}

async function go(app: Page, screen: 'Servers' | 'Sync' | 'History' | 'Organizations' | 'Roles' | 'Users' | 'Snapshots'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

/** True when the element's text is cut (wider than its box) and its title holds the whole text. */
async function cutWithTitle(app: Page, selector: string, text: string): Promise<boolean> {
  return app.locator(selector).first().evaluate((el, full) => el.scrollWidth > el.clientWidth && el.getAttribute('title')?.includes(full) === true, text);
}

test('works through the daily lists: servers, organizations, sync, users, roles, history, snapshots, themes', async ({ app }) => {
  test.setTimeout(120_000);
  // A new server tested green, then saved: the list shows that test, not "Not tested yet".
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 13 matches');
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  const item = app.getByTestId('server-item');
  await expect(item).toHaveCount(1);
  await expect(item).not.toContainText('Not tested yet');
  await expect(item.getByTestId('server-bind')).toHaveText('✓ Bind ok');

  // The attribute pickers show what the chosen attribute holds in the entries seen.
  await expect(app.getByTestId('mapping-email-samples')).toContainText('@example.com');

  // Organizations as a tree; the notice of a creation goes when the admin moves on.
  await go(app, 'Organizations');
  await app.getByRole('button', { name: 'New organization' }).click();
  let dialog = app.getByTestId('org-dialog');
  await dialog.getByLabel('Name').fill('Corp');
  await dialog.getByLabel('Authentication').selectOption({ label: 'LDAP: Corp' });
  await dialog.getByLabel('Name').press('Enter');
  await expect(dialog).toHaveCount(0);
  await app.getByRole('button', { name: 'New organization' }).click();
  dialog = app.getByTestId('org-dialog');
  await dialog.getByLabel('Name').fill(LONG_ORG);
  await dialog.getByLabel('Parent organization').selectOption({ label: 'Corp' });
  await dialog.getByLabel('Name').press('Enter');
  await expect(dialog).toHaveCount(0);
  await expect(app.getByRole('status').filter({ hasText: 'Created' })).toBeVisible();
  const child = app.locator(`[data-testid="org-row"][data-name="${LONG_ORG}"]`);
  await expect(child).toHaveAttribute('data-depth', '1');
  expect(await cutWithTitle(app, `[data-testid="org-row"][data-name="${LONG_ORG}"] .long-name`, LONG_ORG)).toBe(true);
  expect(await horizontalOverflow(app)).toEqual([]);
  await app.getByRole('button', { name: 'Hide the sub-organizations of Corp' }).click();
  await expect(child).toHaveCount(0);
  await app.getByRole('button', { name: 'Show the sub-organizations of Corp' }).click();
  await expect(child).toHaveCount(1);
  // A search keeps the match and its parent (greyed as context); the notice no longer applies.
  await app.getByLabel('Search organizations').fill('very very');
  await expect(app.getByRole('status').filter({ hasText: 'Created' })).toHaveCount(0);
  await expect(app.getByTestId('org-row')).toHaveCount(2);
  await expect(app.locator('[data-testid="org-row"][data-name="Corp"]')).toHaveClass(/row-context/);
  await app.getByLabel('Search organizations').fill('');

  // Create users into Corp, synchronize by hand: the card names the last sync once.
  await go(app, 'Servers');
  await app.getByLabel('Create users for matching entries that have none').check();
  await app.getByLabel('Default organization for new users').selectOption({ label: 'Corp' });
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();
  await go(app, 'Sync');
  const card = app.locator('[data-testid="sync-server"][data-server-name="Corp"]');
  await card.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(card.getByTestId('run-outcome').getByTestId('run-status')).toHaveText('Applied');
  await expect(card.getByTestId('sync-last-sync')).toContainText('its outcome is below');
  await expect(card.getByTestId('sync-last-sync').getByRole('button', { name: 'View plan' })).toHaveCount(0);
  await expect(card.getByTestId('sync-last-run')).toHaveCount(0);

  // Users: sorted by a column both ways; the long username is cut, not the layout.
  await go(app, 'Users');
  await expect(app.getByTestId('users-total')).toHaveText('13 users');
  const rows = app.getByTestId('user-row');
  await expect(rows.first()).toHaveAttribute('data-username', LONG_UID);
  await app.getByTestId('sort-username').click();
  await expect(app.getByTestId('sort-username')).toHaveAttribute('data-sorted', 'descending');
  await expect(rows.first()).toHaveAttribute('data-username', 'user00012');
  await app.getByTestId('sort-username').click();
  await expect(rows.first()).toHaveAttribute('data-username', LONG_UID);
  expect(await cutWithTitle(app, `[data-testid="user-row"][data-username="${LONG_UID}"] .long-name`, LONG_UID)).toBe(true);
  expect(await horizontalOverflow(app, ['.table-wrap', '.app-nav'])).toEqual([]);

  // Bulk: tick three, deactivate them after confirmation, find them with the status filter.
  for (const u of ['user00001', 'user00002', 'user00003']) await app.getByLabel(`Tick ${u}`).check();
  await expect(app.getByTestId('bulk-count')).toHaveText('3 ticked');
  await app.getByRole('button', { name: 'Deactivate ticked' }).click();
  const bulk = app.getByTestId('bulk-active-dialog');
  await expect(bulk.getByRole('heading')).toHaveText('Deactivate 3 users?');
  await expect(bulk.getByTestId('bulk-names')).toHaveText('user00001, user00002, user00003');
  expect(await axeViolations(app)).toEqual([]);
  await bulk.getByRole('button', { name: 'Deactivate 3 users' }).click();
  await expect(bulk).toHaveCount(0);
  await expect(app.getByTestId('bulk-bar')).toHaveCount(0);
  await app.getByTestId('users-status-filter').selectOption('deactivated');
  await expect(app.getByTestId('users-total')).toHaveText('3 users match');
  await expect(rows.getByTestId('user-status').first()).toContainText('Deactivated by admin');
  await app.getByLabel('Tick every user on this page').check();
  await app.getByRole('button', { name: 'Reactivate ticked' }).click();
  await app.getByTestId('bulk-active-dialog').getByRole('button', { name: 'Reactivate 3 users' }).click();
  await expect(app.getByTestId('users-empty')).toHaveText('No user matches.');
  await app.getByTestId('users-status-filter').selectOption('active');
  await expect(app.getByTestId('users-total')).toHaveText('13 users match');

  // Built-in roles say why they cannot be renamed or deleted, and offer neither.
  await go(app, 'Roles');
  const desktop = app.locator('[data-testid="role-row"][data-name="Desktop User"]');
  await expect(desktop.getByTestId('role-built-in')).toHaveText('Built-in');
  await expect(desktop.getByRole('button', { name: /Rename|Delete/ })).toHaveCount(0);
  await expect(app.getByTestId('built-in-note')).toBeVisible();

  // History: the chart fills its card, one series for one server.
  await go(app, 'History');
  const chart = app.getByTestId('users-chart');
  await expect(chart).toHaveAttribute('data-series', '1');
  await expect(chart.getByTestId('chart-latest')).toContainText('13 managed, 13 active');
  const [svgWidth, panelWidth] = await chart.evaluate((el) => [el.querySelector('svg')!.getBoundingClientRect().width, el.closest('.panel')!.getBoundingClientRect().width]);
  expect(svgWidth).toBeGreaterThan(panelWidth * 0.9);

  // A second server that manages nobody gets its own line, instead of pulling Corp's to 0.
  await go(app, 'Servers');
  await app.getByRole('button', { name: 'Add', exact: true }).click();
  await app.getByLabel('Server name').fill('Nobody');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  await app.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(app.getByTestId('server-item')).toHaveCount(2);
  await go(app, 'Sync');
  const nobody = app.locator('[data-testid="sync-server"][data-server-name="Nobody"]');
  await nobody.getByRole('button', { name: 'Synchronize now' }).click();
  await expect(nobody.getByTestId('run-outcome').getByTestId('run-status')).toHaveText('Applied');
  await go(app, 'History');
  await expect(chart).toHaveAttribute('data-series', '2');
  await expect(chart.getByTestId('chart-legend-server')).toHaveText(['Corp: 13 managed, 13 active', 'Nobody: 0 managed, 0 active']);

  // Compare with live: a value changed since the capture shows as old -> new.
  await go(app, 'Snapshots');
  await app.getByRole('button', { name: 'Capture from a server…' }).click();
  await app.getByRole('dialog').getByLabel('Name').fill('before');
  await app.getByRole('dialog').getByRole('button', { name: 'Capture', exact: true }).click();
  await expect(app.getByTestId('snapshots-notice')).toContainText('“before”');
  await ldap('ldapmodify', `dn: uid=user00004,${slapd.baseDn}\nchangetype: modify\nreplace: mail\nmail: new.address@example.com\n`);
  await app.getByRole('button', { name: 'Compare before with live' }).click();
  // Opening another action makes the capture notice stale.
  await expect(app.getByTestId('snapshots-notice')).toHaveCount(0);
  const compare = app.getByTestId('compare-dialog');
  await compare.getByRole('button', { name: 'Compare', exact: true }).click();
  const change = compare.locator('[data-testid="value-change"][data-attribute="mail"]');
  await expect(change).toContainText('user00004@example.com');
  await expect(change).toContainText('new.address@example.com');
  await expect(change.locator('.value-old')).toHaveText('user00004@example.com');
  await expect(change.locator('.value-new')).toHaveText('new.address@example.com');
  await compare.getByRole('button', { name: 'Close' }).click();

  // Placeholders read as hints; light and dark follow the OS setting.
  await go(app, 'Users');
  // Run in the page: the node tsconfig has no DOM library, so the page's globals are reached through globalThis.
  type Styles = { getComputedStyle(el: unknown, pseudo?: string): { fontStyle: string; backgroundColor: string }; document: { body: unknown } };
  const placeholder = await app.getByLabel('Search users').evaluate((el) => (globalThis as unknown as Styles).getComputedStyle(el, '::placeholder').fontStyle);
  expect(placeholder).toBe('italic');
  const bodyBackground = () => app.evaluate(() => { const w = globalThis as unknown as Styles; return w.getComputedStyle(w.document.body).backgroundColor; });
  await app.emulateMedia({ colorScheme: 'dark' });
  expect(await bodyBackground()).toBe('rgb(22, 25, 29)');
  await app.emulateMedia({ colorScheme: 'light' });
  expect(await bodyBackground()).toBe('rgb(246, 247, 249)');
});
