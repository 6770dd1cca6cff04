import { mkdir } from 'node:fs/promises';
import type { Page, TestInfo } from '@playwright/test';
import { test, expect } from './fixtures';
import { axeViolations, horizontalOverflow, overlaps, windowScroll } from './layout-checks';
import { startSlapd, type Slapd } from '../rig/slapd';

// The walk a new admin takes through every screen, at a small laptop's window and a desktop's: each
// screen and dialog is checked for horizontal overflow, overlapping elements and serious or critical
// accessibility violations (axe-core), and photographed. `npm run screenshots` runs it with
// UPDATE_SCREENSHOTS=1, which also writes the pictures to docs/screenshots/walk/ (the README embeds some).

const SIZES = [
  { width: 1024, height: 700 },
  { width: 1440, height: 900 },
] as const;

/** Scrollers that are meant to scroll sideways, and why. */
const ALLOWED_SCROLLERS = [
  // The plan is a virtualised table of fixed-width columns: on a narrow window it scrolls inside its own box.
  '.plan-viewport',
  // The screens' tab strip scrolls when the window is narrower than the tab labels.
  '.app-nav',
];

const update = process.env.UPDATE_SCREENSHOTS === '1';

let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 60, logOps: false, tls: 'ca' });
});
test.afterAll(async () => {
  await slapd?.stop();
});

/** Checks what is on screen now and photographs it; problems are collected (soft) so one run lists them all. */
async function checkScreen(app: Page, testInfo: TestInfo, size: { width: number }, name: string, opts: { axe?: boolean } = {}): Promise<void> {
  // Let smooth scrolling and the preview's debounce settle before measuring.
  await app.waitForTimeout(350);
  expect.soft(await horizontalOverflow(app, ALLOWED_SCROLLERS), `${name}: horizontal overflow`).toEqual([]);
  expect.soft(await windowScroll(app), `${name}: the window`).toEqual([]);
  expect.soft(await overlaps(app), `${name}: overlapping elements`).toEqual([]);
  // axe takes seconds per page: a view whose elements were already checked (only scrolled) skips it.
  if (opts.axe !== false) expect.soft(await axeViolations(app), `${name}: accessibility (axe)`).toEqual([]);
  const file = `${name}-${size.width}.png`;
  await app.screenshot({ path: testInfo.outputPath(file) });
  if (update) {
    await mkdir('docs/screenshots/walk', { recursive: true });
    await app.screenshot({ path: `docs/screenshots/walk/${file}` });
  }
}

async function go(app: Page, screen: string): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

/** The preview's key columns are on screen, not off to the right of a scroller. */
async function expectKeyColumnsVisible(app: Page, name: string): Promise<void> {
  await app.getByRole('button', { name: 'Preview', exact: true }).click();
  const table = app.getByTestId('preview-table');
  await expect(table).toBeVisible();
  const viewport = app.viewportSize()!;
  const wrap = await app.locator('.preview-table-wrap').boundingBox();
  for (const column of ['Username', 'Active', 'Org', 'Roles']) {
    const box = await table.getByRole('columnheader', { name: column, exact: true }).boundingBox();
    expect.soft(box, `${name}: the ${column} column is laid out`).not.toBeNull();
    if (!box || !wrap) continue;
    expect.soft(box.x + box.width, `${name}: the ${column} column ends inside the window`).toBeLessThanOrEqual(viewport.width);
    expect.soft(box.x + box.width, `${name}: the ${column} column ends inside the preview`).toBeLessThanOrEqual(wrap.x + wrap.width + 1);
  }
}

for (const size of SIZES) {
  test(`walks every screen at ${size.width}×${size.height} without overflow, overlap or accessibility violations`, async ({ app }, testInfo) => {
    test.setTimeout(420_000);
    await app.setViewportSize(size);

    // First start.
    await expect(app.getByRole('heading', { name: 'Welcome to LDAP Sync Studio' })).toBeVisible();
    await checkScreen(app, testInfo, size, 'welcome');

    // The sample server: its form, scripts and preview.
    await app.getByRole('button', { name: 'Open the sample directory' }).click();
    await expect(app.getByTestId('preview-row')).toHaveCount(50);
    await checkScreen(app, testInfo, size, 'sample-server');
    await expectKeyColumnsVisible(app, 'sample preview');
    await checkScreen(app, testInfo, size, 'sample-preview', { axe: false });

    // The raw view of an entry.
    await app.locator('tbody.entry-group').first().getByRole('button', { name: 'Raw' }).click();
    await expect(app.getByTestId('raw-view')).toBeVisible();
    await checkScreen(app, testInfo, size, 'raw-entry');
    await app.keyboard.press('Escape');
    await expect(app.getByTestId('raw-view')).toHaveCount(0);

    // "Simulate with these drafts" is in the page's toolbar, in view without scrolling.
    const simulate = app.getByRole('button', { name: 'Simulate with these drafts' });
    await expect(simulate).toBeInViewport();
    await simulate.click();
    const simulation = app.getByTestId('draft-simulation');
    await expect(simulation.getByTestId('run-status')).toHaveText('Simulated', { timeout: 30_000 });
    await checkScreen(app, testInfo, size, 'draft-simulation');
    await simulation.getByRole('button', { name: 'Close' }).click();

    // A live server over ldaps:// with a private CA: Test brings the doctor into view, and the
    // certificate panel shows the whole fingerprint and the Trust button.
    await app.getByRole('button', { name: 'Add', exact: true }).click();
    await app.getByLabel('Server name').fill('Corp');
    await app.getByLabel('URL and search base').fill(`${slapd.ldapsUrl}/${slapd.baseDn}`);
    await app.getByLabel('Bind DN').fill(slapd.syncDn);
    await app.getByLabel('Bind password').fill(slapd.syncPw);
    await app.getByRole('button', { name: 'Preview', exact: true }).click();
    await app.getByRole('button', { name: 'Test', exact: true }).click();
    const issue = app.getByTestId('certificate-issue');
    await expect(issue).toBeVisible();
    await expect(app.getByTestId('doctor-summary')).toBeInViewport();
    const trust = app.getByRole('button', { name: 'Trust this certificate for this server' });
    await trust.scrollIntoViewIfNeeded();
    await expect(app.getByTestId('certificate-fingerprint').first()).toBeInViewport({ ratio: 1 });
    await expect(trust).toBeInViewport({ ratio: 1 });
    await checkScreen(app, testInfo, size, 'certificate');
    await trust.click();
    await expect(app.getByTestId('doctor-summary')).toHaveText('Reachable ✓ · Bind ✓ · 60 matches');
    await expect(app.getByTestId('doctor-summary')).toBeInViewport();
    await expect(app.getByTestId('preview-row').first()).toBeAttached();
    await checkScreen(app, testInfo, size, 'server-tested');
    await expectKeyColumnsVisible(app, 'live preview');
    await app.keyboard.press('Control+s');
    await expect(app.getByTestId('save-notice')).toBeVisible();

    // The other screens, with the sample's data.
    await go(app, 'Sync');
    await expect(app.getByTestId('sync-server').first()).toBeVisible();
    await checkScreen(app, testInfo, size, 'sync');
    await go(app, 'History');
    await expect(app.getByTestId('run-row').first()).toBeVisible();
    await checkScreen(app, testInfo, size, 'history');
    await go(app, 'Organizations');
    await checkScreen(app, testInfo, size, 'organizations');
    await app.getByRole('button', { name: 'New organization' }).click();
    await expect(app.getByTestId('org-dialog')).toBeVisible();
    await checkScreen(app, testInfo, size, 'organization-dialog');
    await app.keyboard.press('Escape');
    await go(app, 'Roles');
    await checkScreen(app, testInfo, size, 'roles');
    await go(app, 'Users');
    await checkScreen(app, testInfo, size, 'users');
    await go(app, 'Snapshots');
    await checkScreen(app, testInfo, size, 'snapshots');
    await app.getByRole('button', { name: 'Import LDIF…' }).click();
    await checkScreen(app, testInfo, size, 'import-ldif');
    await app.keyboard.press('Escape');
    await go(app, 'Test sign-in');
    await checkScreen(app, testInfo, size, 'test-sign-in');

    // The dark theme (the OS setting) keeps its contrast on the busiest screen.
    await app.emulateMedia({ colorScheme: 'dark' });
    await go(app, 'Servers');
    await app.getByTestId('server-item').getByRole('button', { name: 'Sample directory' }).click();
    await expect(app.getByTestId('preview-row')).toHaveCount(50);
    await checkScreen(app, testInfo, size, 'sample-server-dark');
  });
}
