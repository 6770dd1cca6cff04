import type { Locator, Page } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { replaceScript } from './script-editor';

// Offline authoring, with no LDAP server at all: the bundled sample directory on a fresh store, its
// preview over the snapshot, script test cases, "Simulate with these drafts", and LDIF snapshots.

const shots = process.env.UPDATE_SCREENSHOTS === '1';

/** The sample's people (resources/sample-directory/directory.ldif), by what the scripts read. */
function samplePeople(): { l: string | null; employeeType: string | null; mail: boolean }[] {
  const ldif = readFileSync(join(process.cwd(), 'resources/sample-directory/directory.ldif'), 'utf8');
  return ldif
    .split(/\n\n+/)
    .filter((block) => /^objectClass: inetOrgPerson$/m.test(block))
    .map((block) => ({ l: /^l: (.*)$/m.exec(block)?.[1] ?? null, employeeType: /^employeeType: (.*)$/m.exec(block)?.[1] ?? null, mail: /^mail: /m.test(block) }));
}

async function go(app: Page, screen: 'Servers' | 'Sync' | 'History' | 'Snapshots'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

/** Replaces the whole text of a script editor (see replaceScript). */
const setScript = replaceScript;

const row = (app: Page, username: string) => app.locator(`[data-testid="preview-row"][data-username="${username}"]`);
/** The entry group (tbody) of a preview row, where its Raw and "+ Test case" buttons are. */
const entryOf = (app: Page, username: string) => app.locator('tbody.entry-group', { has: row(app, username) });

/** Runs "Simulate with these drafts" and returns the dialog once its plan is shown, with the created count. */
async function simulateDrafts(app: Page): Promise<{ dialog: Locator; created: number }> {
  await app.getByRole('button', { name: 'Simulate with these drafts' }).click();
  const dialog = app.getByTestId('draft-simulation');
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('run-status')).toHaveText('Simulated', { timeout: 30_000 });
  await expect(dialog.getByTestId('plan-status')).toHaveText(/changes?$/);
  const chip = (await dialog.getByTestId('plan-chip-create').textContent()) ?? '';
  const created = Number(/(\d[\d,]*)/.exec(chip)?.[1].replace(/,/g, '') ?? Number.NaN);
  await expect(dialog.getByTestId('draft-counts')).toContainText(`${created} created`);
  return { dialog, created };
}

const NO_TOKYO = "function(entry) {\n  return entry.employeeType !== 'terminated' && entry.l !== 'Tokyo';\n}";
const NO_BERLIN = "function(entry) {\n  return entry.employeeType !== 'terminated' && entry.l !== 'Berlin';\n}";

test('opens the sample on a fresh store, previews it offline, simulates an edited draft and runs script test cases', async ({ app }) => {
  const people = samplePeople();
  expect(people).toHaveLength(320);
  const terminated = people.filter((p) => p.employeeType === 'terminated').length;
  // A new user needs an email: active people without one get an error row instead.
  const noMail = people.filter((p) => !p.mail && p.employeeType !== 'terminated');
  const activeTokyo = people.filter((p) => p.l === 'Tokyo' && p.employeeType !== 'terminated' && p.mail).length;
  expect(activeTokyo).toBeGreaterThan(0);

  // First start: the welcome offers the sample next to "Add a server".
  await expect(app.getByRole('heading', { name: 'Welcome to LDAP Sync Studio' })).toBeVisible();
  await expect(app.getByTestId('sample-offer')).toContainText('320 people');
  await expect(app.getByRole('button', { name: 'Add a server' })).toBeVisible();
  await app.getByRole('button', { name: 'Open the sample directory' }).click();

  // The sample server opens: offline, its snapshot as the preview's only source, no Test, no ldapsearch line.
  await expect(app.getByRole('heading', { name: 'Sample directory', exact: true })).toBeVisible();
  await expect(app.getByTestId('sample-notice')).toBeVisible();
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await expect(app.getByTestId('server-item')).toContainText('Sample');
  await expect(app.getByLabel('Offline (no connection: this server reads only its snapshot)')).toBeChecked();
  await expect(app.getByTestId('offline-note')).toBeVisible();
  await expect(app.getByLabel('Bind DN')).toBeDisabled();
  await expect(app.getByRole('button', { name: 'Test', exact: true })).toHaveCount(0);
  await expect(app.getByLabel('Preview source')).toBeDisabled();
  await expect(app.getByLabel('Preview source')).toContainText('Snapshot: Sample directory (Fjordline Instruments)');

  const rows = app.getByTestId('preview-row');
  await expect(rows).toHaveCount(50);
  await expect(app.getByTestId('preview-page')).toHaveText('Page 1 of 7');
  await expect(row(app, 'hdubois')).toContainText('Fjordline Berlin');
  await expect(row(app, 'hdubois')).toHaveAttribute('data-active', 'true');
  await expect(row(app, 'thansen')).toHaveAttribute('data-active', 'false');
  await expect(app.getByTestId('preview-summary')).toHaveText(/^50 entries · 50 users · /);
  await expect(app.getByTestId('preview-ldapsearch')).toHaveCount(0);
  if (shots) {
    await app.locator('#server-work').evaluate((el) => el.scrollTo(0, 0));
    await app.screenshot({ path: 'docs/screenshots/sample-preview.png' });
  }

  // A baseline draft simulation of the sample as it is: every active person is created.
  const base = await simulateDrafts(app);
  expect(base.created).toBe(320 - terminated - noMail.length);
  await expect(base.dialog.getByTestId('draft-source')).toHaveText('from snapshot Sample directory (Fjordline Instruments)');
  await base.dialog.getByRole('button', { name: 'Close' }).click();
  await expect(base.dialog).toHaveCount(0);

  // Edit the Active script (unsaved): Tokyo leaves. The preview follows, and so does a draft simulation.
  await setScript(app, 'Active script', NO_TOKYO);
  await expect(row(app, 'thansen')).toHaveAttribute('data-active', 'false');
  const tokyoRow = rows.filter({ hasText: 'Fjordline Tokyo' }).first();
  await expect(tokyoRow).toHaveAttribute('data-active', 'false');
  await expect(row(app, 'hdubois')).toHaveAttribute('data-active', 'true');
  const edited = await simulateDrafts(app);
  expect(edited.created).toBe(base.created - activeTokyo);
  await edited.dialog.getByPlaceholder('Search username or DN').fill((await tokyoRow.getAttribute('data-username'))!);
  const editedErrors = noMail.filter((p) => p.l !== 'Tokyo').length;
  await expect(edited.dialog.getByTestId('plan-status')).toHaveText('0 of ' + (edited.created + editedErrors) + ' changes shown');
  await edited.dialog.getByPlaceholder('Search username or DN').fill('hdubois');
  const hdubois = edited.dialog.locator('[data-testid="plan-row"][data-username="hdubois"]');
  await expect(hdubois).toHaveCount(1);
  await expect(hdubois).toContainText('Fjordline Berlin');
  await edited.dialog.getByPlaceholder('Search username or DN').fill('');
  if (shots) await app.screenshot({ path: 'docs/screenshots/plan-view.png' });
  await edited.dialog.getByRole('button', { name: 'Close' }).click();
  // Nothing was saved: the form is still dirty with the edited script.
  await expect(app.getByRole('heading', { name: /unsaved changes/ })).toBeVisible();

  // One click on a preview row makes test cases that expect its current results; they pass.
  await entryOf(app, 'hdubois').getByRole('button', { name: 'Add as test case' }).click();
  await expect(app.getByTestId('test-case-added')).toContainText('Added hdubois as a test case of Active, Org name, Role name');
  const activeCases = app.getByTestId('test-cases-active').getByTestId('test-case');
  await expect(activeCases).toHaveCount(1);
  await expect(activeCases.first()).toHaveAttribute('data-status', 'pass');
  await expect(activeCases.first()).toContainText('expects true');
  await expect(app.getByTestId('test-summary-active')).toHaveText('1/1 passing');
  await expect(app.getByTestId('test-cases-orgName').getByTestId('test-case')).toHaveAttribute('data-status', 'pass');
  await expect(app.getByTestId('test-summary-roleName')).toHaveText('1/1 passing');

  // The script now deactivates Berlin: the case fails, expected against actual; fixing it passes again.
  await setScript(app, 'Active script', NO_BERLIN);
  await expect(activeCases.first()).toHaveAttribute('data-status', 'fail');
  await expect(activeCases.first().getByTestId('test-case-detail')).toHaveText('Expected true, got false');
  await expect(app.getByTestId('test-summary-active')).toHaveText('0/1 passing');
  await setScript(app, 'Active script', 'function(entry) { return entry.nope.x; }');
  await expect(activeCases.first().getByTestId('test-case-detail')).toContainText('Script error:');
  await setScript(app, 'Active script', NO_TOKYO);
  await expect(activeCases.first()).toHaveAttribute('data-status', 'pass');
  await expect(app.getByTestId('test-summary-active')).toHaveText('1/1 passing');

  // A case written by hand: a terminated Oslo employee must not be active.
  await app.getByRole('button', { name: 'Add Active test case' }).click();
  const caseDialog = app.getByTestId('test-case-dialog');
  await caseDialog.getByLabel('Name').fill('terminated staff lose access');
  await caseDialog.getByLabel('DN').fill('uid=gone,ou=people,dc=fjordline,dc=example');
  await caseDialog.getByLabel('Attributes').fill('uid gone');
  await caseDialog.getByRole('button', { name: 'Add case' }).click();
  await expect(caseDialog.getByTestId('test-case-problem')).toContainText('Line 1');
  await caseDialog.getByLabel('Attributes').fill('uid: gone\nemployeeType: terminated\nl: Oslo');
  await caseDialog.getByLabel('false (deactivated)').check();
  await caseDialog.getByRole('button', { name: 'Add case' }).click();
  await expect(caseDialog).toHaveCount(0);
  await expect(activeCases).toHaveCount(2);
  await expect(app.getByTestId('test-summary-active')).toHaveText('2/2 passing');
  // Editing its expectation to true makes it fail with expected against actual.
  await app.getByRole('button', { name: 'Edit test case terminated staff lose access' }).click();
  await caseDialog.getByLabel('true (active)').check();
  await caseDialog.getByRole('button', { name: 'Save case' }).click();
  await expect(app.getByTestId('test-summary-active')).toHaveText('1/2 passing');
  await expect(activeCases.nth(1).getByTestId('test-case-detail')).toHaveText('Expected true, got false');
  if (shots) {
    await app.getByRole('button', { name: 'Scripts', exact: true }).click();
    await app.screenshot({ path: 'docs/screenshots/test-cases.png' });
  }
  await app.getByRole('button', { name: 'Edit test case terminated staff lose access' }).click();
  await caseDialog.getByLabel('false (deactivated)').check();
  await caseDialog.getByRole('button', { name: 'Save case' }).click();
  await expect(app.getByTestId('test-summary-active')).toHaveText('2/2 passing');

  // A case can be deleted.
  const orgCases = app.getByTestId('test-cases-orgName').getByTestId('test-case');
  await app.getByTestId('test-cases-orgName').getByRole('button', { name: 'Delete test case hdubois' }).click();
  await expect(orgCases).toHaveCount(0);
  await expect(app.getByTestId('test-summary-orgName')).toHaveCount(0);

  // Save keeps the cases (they are part of the server); they come back after a reload.
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();
  await app.reload();
  await app.getByTestId('server-item').getByRole('button', { name: 'Sample directory' }).click();
  await expect(app.getByTestId('test-cases-active').getByTestId('test-case')).toHaveCount(2);
  await expect(app.getByTestId('test-summary-active')).toHaveText('2/2 passing');
  await expect(app.getByTestId('test-summary-roleName')).toHaveText('1/1 passing');
  await expect(orgCases).toHaveCount(0);

  // History lists the two runs as draft simulations from the snapshot.
  await go(app, 'History');
  const runs = app.getByTestId('run-row');
  await expect(runs).toHaveCount(2);
  await expect(runs.getByTestId('run-kind')).toHaveText(['Draft simulation', 'Draft simulation']);
  await expect(runs.first().getByTestId('run-source')).toHaveText('from snapshot Sample directory (Fjordline Instruments)');

  // The Sync screen offers the offline server Simulate only.
  await go(app, 'Sync');
  const card = app.locator('[data-testid="sync-server"][data-server-name="Sample directory"]');
  await expect(card.getByTestId('sync-offline-note')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Synchronize now' })).toHaveCount(0);
  await card.getByRole('button', { name: 'Simulate' }).click();
  await expect(card.getByTestId('run-outcome').getByTestId('run-status')).toHaveText('Simulated', { timeout: 30_000 });
  await expect(card.getByTestId('run-source')).toHaveText('from snapshot Sample directory (Fjordline Instruments)');
  await expect(card.getByTestId('run-counts')).toHaveText(new RegExp(`^${edited.created} created`));
});

test('removes the sample in one action, leaving the welcome again', async ({ app }) => {
  await app.getByRole('button', { name: 'Open the sample directory' }).click();
  await expect(app.getByTestId('preview-row')).toHaveCount(50);
  await app.getByRole('button', { name: 'Remove sample' }).click();
  const dialog = app.getByTestId('remove-sample-dialog');
  await expect(dialog).toContainText('its snapshot and the Fjordline organizations');
  await dialog.getByRole('button', { name: 'Remove sample' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(app.getByRole('heading', { name: 'Welcome to LDAP Sync Studio' })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Open the sample directory' })).toBeVisible();
  await go(app, 'Snapshots');
  await expect(app.getByTestId('snapshots-empty')).toBeVisible();
});

const GOOD_LDIF = `version: 1

dn: uid=ann,ou=people,dc=x
objectClass: inetOrgPerson
uid: ann
cn:: w4VzYSDDmHZyZWLDuA==
sn: A
mail: ann@x.example

dn: uid=bob,ou=people,dc=x
objectClass: inetOrgPerson
uid: bob
cn: Bob
sn: B
mail: bob@x.example
`;
const BAD_LDIF = `dn: uid=a,dc=x\nuid: a\n\ndn: uid=b,dc=x\nchangetype: add\nuid: b\n`;

test('imports LDIF on the Snapshots screen (a malformed file shows its line and imports nothing), previews it offline and exports it', async ({ app, fileDialog, tempDir }) => {
  await go(app, 'Snapshots');
  await expect(app.getByTestId('snapshots-empty')).toBeVisible();
  const dir = tempDir;
  const bad = join(dir, 'bad.ldif');
  const good = join(dir, 'people.ldif');
  writeFileSync(bad, BAD_LDIF);
  writeFileSync(good, GOOD_LDIF);

  await app.getByRole('button', { name: 'Import LDIF…' }).click();
  const dialog = app.getByTestId('import-dialog');
  // The file comes from main's dialog; main reads it.
  await fileDialog.choose(bad);
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await expect(dialog.getByLabel('Name')).toHaveValue('bad');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByTestId('import-error')).toContainText('bad.ldif, line 5');
  await expect(dialog.getByTestId('import-error')).toContainText('Nothing was imported');

  await fileDialog.choose(good);
  await dialog.getByRole('button', { name: 'Choose another file…' }).click();
  await expect(dialog.getByTestId('import-error')).toHaveCount(0);
  await dialog.getByLabel('Name').fill('People export');
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(app.getByTestId('snapshots-notice')).toHaveText('Imported “People export”: 2 entries.');
  const snap = app.locator('[data-testid="snapshot-row"][data-name="People export"]');
  await expect(app.getByTestId('snapshot-row')).toHaveCount(1);
  await expect(snap.getByTestId('snapshot-entries')).toHaveText('2');
  await expect(snap).toContainText('LDIF file');
  await expect(snap).toContainText('people.ldif');

  const download = app.waitForEvent('download');
  await snap.getByRole('button', { name: 'Export LDIF of People export' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('People_export.ldif');
  const exported = readFileSync((await file.path())!, 'utf8');
  expect(exported).toContain('dn: uid=bob,ou=people,dc=x');

  // An offline server over it: no connection fields needed, the preview reads the snapshot.
  await go(app, 'Servers');
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Offline people');
  await app.getByLabel('URL and search base').fill('ldap://dir.x.example/ou=people,dc=x');
  await app.getByLabel('Offline (no connection: this server reads only its snapshot)').check();
  await expect(app.getByTestId('preview-hint')).toContainText('Attach a snapshot');
  await app.getByLabel('Attached snapshot').selectOption({ label: 'People export · 2 entries' });
  await expect(app.getByTestId('preview-row')).toHaveCount(2);
  await expect(row(app, 'ann')).toContainText('ann@x.example');
  // The raw view shows the snapshot's entry, and "Add as test case" there keeps it with its current result.
  await entryOf(app, 'ann').getByRole('button', { name: 'Raw' }).click();
  const rawView = app.getByTestId('raw-view');
  await expect(rawView.locator('[data-testid="raw-attribute"][data-name="cn"]')).toHaveText(/Åsa Øvrebø/);
  await rawView.getByRole('button', { name: 'Add as test case' }).click();
  await expect(rawView).toHaveCount(0);
  await expect(app.getByTestId('test-case-added')).toContainText('Added ann as a test case of Active');
  await expect(app.getByTestId('test-summary-active')).toHaveText('1/1 passing');
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('save-notice')).toBeVisible();

  // The snapshot is the only source of that offline server: deleting it is refused, with the reason.
  await go(app, 'Snapshots');
  await expect(snap).toContainText('Offline people');
  await snap.getByRole('button', { name: 'Delete People export' }).click();
  await app.getByTestId('delete-snapshot-dialog').getByRole('button', { name: 'Delete' }).click();
  await expect(app.getByTestId('snapshots-error')).toContainText('only source of the offline server');
  await expect(app.getByTestId('snapshot-row')).toHaveCount(1);
});
