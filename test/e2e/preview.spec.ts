import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { replaceScript } from './script-editor';
import { startSlapd, type Slapd } from '../rig/slapd';

// The admin's path through mapping and scripts: the live preview follows the unsaved form as they type.
// The rig's users are user00001..user00120 in directory order; employeeType cycles by i % 3 through
// staff (0), contractor (1) and intern (2), so 17 of the first 50 are contractors. The hand-made
// entries of ou=extras (several mail values, a shared mail, binary photos) sit outside ou=people.
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 120, logOps: false, extras: true });
});
test.afterAll(async () => {
  await slapd?.stop();
});

const shots = process.env.UPDATE_SCREENSHOTS === '1';

async function addServer(app: Page, base = slapd.baseDn): Promise<void> {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${base}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
}

/** Replaces the whole text of a script editor (see replaceScript). */
const setScript = replaceScript;

/** Applies an LDIF change to the rig's directory as its root account (ldapmodify from ldap-utils). */
async function ldapModify(ldif: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  await new Promise<void>((resolve, reject) => {
    const p = spawn('ldapmodify', ['-x', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ldapmodify exited ${code}: ${err}`))));
    p.stdin.end(ldif);
  });
}

/** The few browser globals the in-page steps below use (this project's Node typings have no DOM). */
type PageGlobals = {
  document: {
    querySelector(selector: string): object | null;
    getSelection(): { selectAllChildren(node: object): void } | null;
    execCommand(command: 'insertText', showUi: false, text: string): boolean;
  };
  MutationObserver: new (callback: () => void) => { observe(node: object, options: Record<string, boolean>): void; disconnect(): void };
};

const row = (app: Page, username: string) => app.locator(`[data-testid="preview-row"][data-username="${username}"]`);

test('types an Active script and watches the active column change; a syntax error shows its line and column', async ({ app }) => {
  await addServer(app);
  const rows = app.getByTestId('preview-row');
  const inactive = app.locator('[data-testid="preview-row"][data-active="false"]');
  const summary = app.getByTestId('preview-summary');
  await expect(rows).toHaveCount(50);
  await expect(summary).toHaveText(/^50 entries · 50 users · 50 active · 0 inactive · 0 errors · script time [\d.,]+ ms$/);
  await expect(app.getByRole('textbox', { name: 'Active script' })).toHaveText('function(entry) { return true; }');
  await expect(inactive).toHaveCount(0);
  await expect(row(app, 'user00001')).toContainText('user00001@example.com');

  await setScript(app, 'Active script', "function(entry) { return entry.employeeType != 'contractor'; }");
  await expect(inactive).toHaveCount(17);
  await expect(row(app, 'user00001')).toHaveAttribute('data-active', 'false');
  await expect(row(app, 'user00002')).toHaveAttribute('data-active', 'true');
  await expect(summary).toContainText('33 active · 17 inactive · 0 errors');
  await expect(app.getByTestId('script-cost-active')).toHaveText(/^\d+(\.\d)? µs\/entry$/);

  // A syntax error is a diagnostic with its line and column while typing; the rows keep their place.
  await setScript(app, 'Active script', "function(entry) {\n  return entry.employeeType != 'contractor'\n  if (\n}");
  await expect(app.getByTestId('script-diagnostics-active').locator('li')).toHaveCount(1);
  await expect(app.getByTestId('script-diagnostics-active')).toHaveText(/^line [34], column \d+: .+/);

  // Completion offers the attributes seen in the results after `entry.`.
  await setScript(app, 'Active script', 'function(entry) { return entry.');
  await app.keyboard.type('emp');
  await expect(app.getByRole('option', { name: /employeeType/ })).toBeVisible();
  await app.keyboard.press('Escape');

  // console.log lines reach the Output panel with the entry's DN.
  await setScript(app, 'Active script', "function(entry) {\n  if (entry.uid == 'user00003') console.log('checking', entry.employeeType);\n  return entry.employeeType != 'contractor';\n}");
  // The editor keeps what was filled in (it once put back an older text of its own), and its check answered.
  await expect(app.getByRole('textbox', { name: 'Active script' })).toContainText("console.log('checking', entry.employeeType);  return entry.employeeType != 'contractor';}");
  // No diagnostic (as text: a failure then shows which one stayed).
  await expect(app.getByTestId('script-diagnostics-active')).toHaveText('');
  await expect(app.getByTestId('script-check-error')).toHaveCount(0);
  await expect(app.getByTestId('script-output')).toContainText('checking staff');
  await expect(app.getByTestId('script-output')).toContainText(slapd.userDn(3));
  await expect(inactive).toHaveCount(17);

  // The script is part of the draft: dirty, saved with Ctrl+S, back after a reload.
  await expect(app.getByRole('heading', { name: /unsaved changes/ })).toBeVisible();
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await expect(app.getByRole('heading', { name: /unsaved changes/ })).toHaveCount(0);
  await app.reload();
  await app.getByTestId('server-item').getByRole('button', { name: 'Corp' }).click();
  await expect(app.getByRole('textbox', { name: 'Active script' })).toContainText("console.log('checking', entry.employeeType)");
  await expect(inactive).toHaveCount(17);
});

test('keeps what is typed right after the whole script was replaced, while the page still owes that text its effects', async ({ app }) => {
  await addServer(app);
  await expect(app.getByTestId('preview-row')).toHaveCount(50);
  const editor = app.getByRole('textbox', { name: 'Active script' });
  const help = app.getByTestId('simulate-drafts-help');
  for (let i = 1; i <= 3; i++) {
    // A blank Active script makes the form's help above the preview say so: its change shows when
    // React has committed the next text.
    await setScript(app, 'Active script', '');
    await expect(help).toContainText('Active script');
    const text = `function(entry) { return entry.uid != 'user0000${i}'; `;
    // Replaces the whole text as a paste or a fill does (React commits that at default priority and
    // runs its effects in a later task), then types `}` just after that commit, before those effects:
    // the order a loaded machine gives by chance. The editor once took the committed, older text for
    // an outside change and put it back, dropping the keystroke.
    const typed = await editor.evaluate(
      (content, [text, key]) =>
        new Promise<string>((resolve) => {
          const page = globalThis as unknown as PageGlobals;
          const formHelp = page.document.querySelector('[data-testid="simulate-drafts-help"]');
          if (!formHelp) return resolve('the form help was not found');
          const type = (how: string) => {
            committed.disconnect();
            clearTimeout(late);
            page.document.execCommand('insertText', false, key);
            resolve(how);
          };
          const committed = new page.MutationObserver(() => type('after the commit'));
          const late = setTimeout(() => type('the form help did not change'), 5000);
          committed.observe(formHelp, { attributes: true, childList: true, characterData: true, subtree: true });
          content.focus();
          page.document.getSelection()?.selectAllChildren(content);
          page.document.execCommand('insertText', false, text);
        }),
      [text, '}'] as const,
    );
    expect(typed).toBe('after the commit');
    await expect(editor).toHaveText(`${text}}`);
    await expect(row(app, `user0000${i}`)).toHaveAttribute('data-active', 'false');
    await expect(app.getByTestId('script-diagnostics-active').locator('li')).toHaveCount(0);
    await expect(editor).toHaveText(`${text}}`);
  }
  await expect(app.getByTestId('preview-summary')).toContainText('49 active · 1 inactive · 0 errors');
});

test('pages through the results and searches a username, escaped', async ({ app }) => {
  await addServer(app);
  const rows = app.getByTestId('preview-row');
  const page = app.getByTestId('preview-page');
  await expect(rows).toHaveCount(50);
  await expect(page).toHaveText('Page 1 of 3');
  await expect(rows.first()).toHaveAttribute('data-username', 'user00001');
  const top = app.getByTestId('preview-pager-top');
  const bottom = app.getByTestId('preview-pager-bottom');
  await expect(top.getByRole('button', { name: 'Previous page' })).toBeDisabled();
  await expect(app.getByTestId('preview-whole')).toHaveText('Entries 1–50 of 120 matching the search');

  // The pager below the table pages too, and the new page starts at its first row, in view.
  await bottom.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveText('Page 2 of 3');
  await expect(rows.first()).toHaveAttribute('data-username', 'user00051');
  await expect(row(app, 'user00001')).toHaveCount(0);
  await expect(app.getByTestId('preview-whole')).toHaveText('Entries 51–100 of 120 matching the search');
  await expect(top).toBeInViewport();
  await top.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveText('Page 3 of 3');
  await expect(rows).toHaveCount(20);
  await expect(top.getByRole('button', { name: 'Next page' })).toBeDisabled();
  // Jump to any page: type it and press Enter.
  await top.getByRole('spinbutton', { name: 'Page' }).fill('1');
  await top.getByRole('spinbutton', { name: 'Page' }).press('Enter');
  await expect(page).toHaveText('Page 1 of 3');

  await app.getByTestId('editor-preview').getByLabel('Page size').selectOption('25');
  await expect(page).toHaveText('Page 1 of 5');
  await expect(rows).toHaveCount(25);

  await app.getByLabel('Username search').fill('user00007');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-username', 'user00007');
  await expect(app.getByTestId('preview-summary')).toHaveText(/^1 entry · 1 user · 1 active/);

  // The filter's ? is replaced by the escaped text: an injection attempt matches nothing.
  await app.getByLabel('Username search').fill('*)(uid=*');
  await expect(app.getByTestId('preview-empty')).toContainText('*)(uid=*');
  await expect(rows).toHaveCount(0);
  await expect(app.getByTestId('preview-filter')).toContainText('\\2a\\29\\28uid=\\2a');

  // Prefix and contains searches add only their own wildcards; what is typed stays escaped.
  await app.getByLabel('How to match').selectOption('Begins with');
  await app.getByLabel('Username search').fill('user0001');
  await expect(rows).toHaveCount(10);
  await expect(app.getByTestId('preview-filter')).toContainText('(uid=user0001*)');
  await app.getByLabel('How to match').selectOption('Contains');
  await app.getByLabel('Username search').fill('0011');
  await expect(rows).toHaveCount(11);
  await expect(app.getByTestId('preview-filter')).toContainText('(uid=*0011*)');
  await app.getByLabel('Username search').fill('*)(');
  await expect(rows).toHaveCount(0);
  await expect(app.getByTestId('preview-filter')).toContainText('(uid=*\\2a\\29\\28*)');

  await app.getByLabel('Username search').fill('');
  await expect(rows).toHaveCount(25);
});

test('opens the raw view of a row, maps attributes, and shows script problems on their rows', async ({ app }) => {
  await addServer(app);
  const rows = app.getByTestId('preview-row');
  await expect(rows).toHaveCount(50);
  await expect(app.getByTestId('mapping-username')).toHaveValue('uid');

  await app.getByRole('button', { name: 'Raw' }).first().click();
  const raw = app.getByTestId('raw-view');
  await expect(raw).toBeVisible();
  await expect(raw).toContainText(slapd.userDn(1));
  await expect(raw.locator('[data-testid="raw-attribute"][data-name="employeeType"]')).toContainText('contractor');
  await expect(raw.locator('[data-testid="raw-attribute"][data-name="mail"]')).toContainText('user00001@example.com');
  await raw.getByRole('button', { name: 'Close' }).click();
  await expect(raw).toHaveCount(0);

  // The pickers offer the attributes seen; an unmapped email shows on every row.
  await expect(app.locator('#mapping-attribute-names option[value="employeeType"]')).toHaveCount(1);
  await app.getByLabel('Email attribute').fill('departmentNumber');
  await expect(row(app, 'user00001')).toContainText('D101');
  await app.getByLabel('Email attribute').fill('');
  await expect(app.locator('[data-testid="row-problem"][data-code="MISSING_EMAIL"]')).toHaveCount(50);
  await app.getByLabel('Email attribute').fill('mail');
  await expect(app.getByTestId('row-problem')).toHaveCount(0);

  // An Org name script naming an organization that does not exist: the name is kept and the row says so.
  await app.getByRole('button', { name: 'Add Org name script' }).click();
  await setScript(app, 'Org name script', "function(entry) { return entry.employeeType == 'contractor' ? 'Contractors' : 'Employees'; }");
  await expect(app.locator('[data-testid="row-problem"][data-code="UNKNOWN_ORG"]')).toHaveCount(50);
  await expect(row(app, 'user00001')).toContainText('Contractors');
  await expect(app.getByTestId('script-cost-orgName')).toHaveText(/µs\/entry$/);

  // A script that throws for one entry: that row carries the error with its line, the others stay mapped.
  await app.getByRole('button', { name: 'Add Role name script' }).click();
  await setScript(app, 'Role name script', "function(entry) {\n  if (entry.uid == 'user00002')\n    throw new Error('no roles for ' + entry.uid);\n  return [];\n}");
  const thrown = app.locator('[data-testid="row-problem"]').filter({ hasText: 'no roles for user00002' });
  await expect(thrown).toHaveCount(1);
  await expect(thrown).toContainText(/^⚠ Role name script, line 3: /);
  await expect(app.getByTestId('preview-summary')).toContainText('50 users');
  await app.getByTestId('editor-preview').getByLabel('Page size').selectOption('10');
  await expect(rows).toHaveCount(10);
  if (shots) {
    await setScript(app, 'Active script', "function(entry) { return entry.employeeType != 'contractor'; }");
    await expect(app.getByTestId('preview-summary')).toContainText('6 active · 4 inactive');
    await app.locator('#server-work').evaluate((el) => el.scrollTo(0, 0));
    await app.screenshot({ path: 'docs/screenshots/preview.png' });
  }

  await app.getByRole('button', { name: 'Remove Role name script' }).click();
  await expect(thrown).toHaveCount(0);
  await expect(app.getByRole('button', { name: 'Add Role name script' })).toBeVisible();
});

test('gives one user per mail value, grouped under its entry, and shows binary values as size plus base64', async ({ app }) => {
  await addServer(app, slapd.extrasDn);
  await app.getByLabel('Search filter').fill('(&(objectClass=inetOrgPerson)(mail=?))');
  await expect(app.getByTestId('mapping-username')).toHaveValue('mail');
  const rows = app.getByTestId('preview-row');
  // multi (three mail values), shared and twouids; nomail has no mail, so (mail=*) does not match it.
  await expect(rows).toHaveCount(5);
  await expect(app.getByTestId('preview-summary')).toHaveText(/^3 entries · 5 users · /);
  const multi = app.locator('tbody.entry-group', { has: row(app, 'multi.two@example.org') });
  await expect(multi.getByTestId('preview-row')).toHaveCount(3);
  await expect(multi.locator('td.cell-dn')).toHaveCount(1);
  await expect(multi).toContainText('3 users from this entry');
  // multi.one@example.org is also shared's mail: both rows say so.
  await expect(app.locator('[data-testid="row-problem"][data-code="DUPLICATE_USERNAME"]')).toHaveCount(2);

  await multi.getByRole('button', { name: 'Raw' }).click();
  const photo = app.getByTestId('raw-view').locator('[data-testid="raw-attribute"][data-name="jpegPhoto"]');
  await expect(photo).toContainText('14 bytes');
  await expect(photo).toContainText('/9j/4AAQSkZJRgABgP4=');
  await expect(app.getByTestId('raw-view').locator('[data-testid="raw-attribute"][data-name="mail"]')).toContainText('multi.three@example.org');
  await app.keyboard.press('Escape');
  await expect(app.getByTestId('raw-view')).toHaveCount(0);
});

test('tells the truth: read time and Refresh, one syntax error once, problems only, missing organizations created in one action, renamed ones at once', async ({ app }) => {
  await addServer(app);
  const rows = app.getByTestId('preview-row');
  const status = app.getByTestId('preview-status');
  await expect(rows).toHaveCount(50);
  await expect(status).toHaveText(/^Read from the directory at /);
  await expect(status).not.toContainText('Up to date');

  // The directory changes (this test and the next run last: nothing after them reads these entries).
  // The cached page still shows the old value until Refresh reads the directory again.
  await ldapModify(`dn: ${slapd.userDn(4)}\nchangetype: modify\nreplace: mail\nmail: renamed4@example.com\n`);
  await setScript(app, 'Active script', 'function(entry) { return entry.uid != "user00009"; }');
  await expect(row(app, 'user00009')).toHaveAttribute('data-active', 'false');
  await expect(row(app, 'user00004')).toContainText('user00004@example.com');
  await app.getByRole('button', { name: 'Refresh' }).click();
  await expect(row(app, 'user00004')).toContainText('renamed4@example.com');
  await expect(status).toHaveText(/^Read from the directory at /);

  // A syntax error is said once above the table, and counted on no row.
  await setScript(app, 'Active script', 'function(entry) {\n  return (;\n}');
  await expect(app.getByTestId('script-failure')).toHaveCount(1);
  await expect(app.getByTestId('script-failure')).toContainText(/^Active script, line 2: /);
  await expect(app.locator('[data-testid="row-problem"][data-code="SCRIPT_SYNTAX"]')).toHaveCount(0);
  await expect(app.getByTestId('preview-summary')).toContainText('· 0 errors ·');
  await setScript(app, 'Active script', 'function(entry) { return true; }');
  await expect(app.getByTestId('script-failure')).toHaveCount(0);

  // Unknown organizations are warnings, on the rows and once with the action that creates them.
  await app.getByRole('button', { name: 'Add Org name script' }).click();
  await setScript(app, 'Org name script', "function(entry) { return entry.uid == 'user00003' ? 'Interns' : 'Staff'; }");
  await expect(app.locator('[data-testid="row-problem"][data-code="UNKNOWN_ORG"][data-severity="warning"]')).toHaveCount(50);
  await expect(app.getByTestId('preview-summary')).toContainText('0 errors · 50 warnings');
  const missing = app.getByTestId('preview-missing');
  await expect(missing).toContainText('organizations “Staff”, “Interns”');
  await expect(missing).toContainText('Save the server first');
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await missing.getByRole('button', { name: 'Create these 2' }).click();
  await expect(app.locator('[data-testid="row-problem"][data-code="UNKNOWN_ORG"]')).toHaveCount(0);
  await expect(missing).toHaveCount(0);

  // Rows with problems only: the one entry without a mail value.
  await ldapModify(`dn: ${slapd.userDn(6)}\nchangetype: modify\ndelete: mail\n`);
  await app.getByRole('button', { name: 'Refresh' }).click();
  await app.getByLabel('Rows with problems only').check();
  await expect(rows).toHaveCount(1);
  await expect(row(app, 'user00006')).toHaveCount(1);
  await expect(app.getByTestId('preview-summary')).toContainText('50 entries · 50 users');
  await app.getByLabel('Rows with problems only').uncheck();
  await expect(rows).toHaveCount(50);

  // Renaming an organization the saved script returns: the Organizations screen warns, the preview follows at once.
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Organizations' }).click();
  await app.getByRole('button', { name: 'Edit Staff' }).click();
  const dialog = app.getByTestId('org-dialog');
  await dialog.getByLabel('Name').fill('Employees');
  await dialog.getByLabel('Name').press('Enter');
  const warning = app.getByTestId('script-name-warning');
  await expect(warning).toContainText('The organization “Staff” is now named “Employees”, but saved scripts still return “Staff”');
  await expect(warning).toContainText('Corp: Org name script');
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Servers' }).click();
  await expect(app.locator('[data-testid="row-problem"][data-code="UNKNOWN_ORG"]')).toHaveCount(49);
});

test('points an untrusted certificate to the connection test and disables the pager', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp TLS');
  await app.getByLabel('URL and search base').fill(`${slapd.ldapsUrl}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);
  const error = app.getByTestId('preview-error');
  await expect(error).toHaveAttribute('data-code', 'TLS_UNTRUSTED');
  await expect(error).toContainText('certificate is not trusted');
  await expect(error).toContainText('Run the connection test');
  await expect(error.locator('p').first()).not.toContainText('LDAP_ERROR');
  await expect(app.getByTestId('preview-pager-top').getByRole('button', { name: 'Next page' })).toBeDisabled();
  await expect(app.getByTestId('preview-pager-top').getByRole('spinbutton', { name: 'Page' })).toBeDisabled();

  // The action runs the connection test, which shows the certificate and offers to trust it; then the preview reads.
  await error.getByRole('button', { name: 'Run the connection test' }).click();
  await app.getByRole('button', { name: 'Trust this certificate for this server' }).click();
  await expect(app.getByTestId('preview-row')).toHaveCount(50);
  await expect(app.getByTestId('preview-pager-top').getByRole('button', { name: 'Next page' })).toBeEnabled();
});

test('offers only snapshots of the server\'s part of the directory, and says why another one finds nothing', async ({ app }) => {
  await addServer(app);
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('server-item')).toHaveCount(1);
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Snapshots' }).click();
  await app.getByRole('button', { name: 'Capture from a server…' }).click();
  await app.getByRole('dialog').getByLabel('Name').fill('people now');
  await app.getByRole('dialog').getByRole('button', { name: 'Capture', exact: true }).click();
  await expect(app.getByTestId('snapshots-notice')).toContainText('“people now”');
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Servers' }).click();
  await app.getByTestId('server-item').getByRole('button', { name: 'Corp' }).click();

  // Over the same base the snapshot can be chosen, and gives the same rows as the directory.
  const picker = app.getByLabel('Preview source');
  const option = picker.locator('option', { hasText: 'people now' });
  await expect(option).toBeEnabled();
  await picker.selectOption({ label: (await option.textContent())! });
  await expect(app.getByTestId('preview-row')).toHaveCount(50);
  await expect(app.getByTestId('preview-status')).toHaveText(/^Read from the snapshot at /);

  // Another part of the directory: the chosen snapshot says why it holds nothing, and is no longer offered.
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.extrasDn}`);
  await expect(app.getByTestId('preview-source-mismatch')).toContainText(`captured at ${slapd.baseDn}`);
  await expect(app.getByTestId('preview-error')).toContainText(`none of its 120 entries is at or below this server's search base "${slapd.extrasDn}"`);
  await picker.selectOption('live');
  await expect(app.getByTestId('preview-source-mismatch')).toHaveCount(0);
  await expect(picker.locator('optgroup option', { hasText: 'people now' })).toBeDisabled();
});
