import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';

// The list screens from the keyboard alone: every control is reached by focus and worked with
// Enter, Space, typing and Esc (keyboard.spec.ts covers the server page and its dialogs).

/** Focuses `target` and presses `key` on it, as Tab-then-key would. */
async function press(target: Locator, key = 'Enter'): Promise<void> {
  await target.focus();
  await expect(target).toBeFocused();
  await target.press(key);
}

/** Types into the focused field, key by key. */
async function type(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
}

test('Sync, History, Organizations, Roles, Users and Snapshots work from the keyboard alone', async ({ app }) => {
  await press(app.getByRole('button', { name: 'Open the sample directory' }));
  await expect(app.getByTestId('preview-row')).toHaveCount(50);

  // Sync: simulate the sample server, open its plan, show one kind of change, search it.
  await app.keyboard.press('Control+2');
  const card = app.locator('[data-testid="sync-server"][data-server-name="Sample directory"]');
  await press(card.getByRole('button', { name: 'Simulate' }));
  await expect(card.getByTestId('run-status').first()).toHaveText('Simulated', { timeout: 30_000 });
  await press(card.getByRole('button', { name: 'View plan' }).first());
  const plan = app.getByTestId('plan-view');
  await expect(plan).toBeVisible();
  await press(plan.getByRole('button', { name: /^Error \d+/ }));
  await expect(plan.getByTestId('plan-row').first()).toHaveAttribute('data-action', 'error');
  await press(plan.getByRole('button', { name: /^All \d+/ }));
  await press(plan.getByRole('searchbox', { name: 'Search username or DN' }), 'End');
  await type(app, 'hdubois');
  await expect(plan.getByTestId('plan-status')).toHaveText(/^\d+ of 302 changes shown/);
  await expect(plan.getByTestId('plan-row').first()).toHaveAttribute('data-username', 'hdubois');

  // History: the run is listed; its details open from the keyboard.
  await app.keyboard.press('Control+3');
  await expect(app.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
  const runRow = app.getByRole('row', { name: /Sample directory .* Simulated/ });
  await press(runRow.getByRole('button', { name: 'just now' }));
  await expect(app.getByTestId('plan-view').last()).toBeVisible();

  // Organizations: create a local one with the dialog's own keys (type, Enter submits).
  await app.keyboard.press('Control+4');
  await press(app.getByRole('button', { name: 'New organization' }));
  await expect(app.getByLabel('Name', { exact: true })).toBeFocused();
  await type(app, 'Keyboard Office');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('dialog')).toHaveCount(0);
  await expect(app.getByRole('row', { name: /^Keyboard Office Local/ })).toBeVisible();

  // Roles: a new role typed and added with Enter.
  await app.keyboard.press('Control+5');
  await press(app.getByLabel('New role name'), 'End');
  await type(app, 'Keyboard Role');
  await app.keyboard.press('Enter');
  await expect(app.getByLabel('Rename Keyboard Role')).toBeVisible();

  // Users: add a local user, tick them with Space, deactivate them in bulk, confirm with Enter.
  await app.keyboard.press('Control+6');
  await press(app.getByRole('button', { name: 'Add user' }));
  await expect(app.getByRole('dialog').getByLabel('Username', { exact: true })).toBeFocused();
  await type(app, 'kbuser');
  await app.keyboard.press('Enter');
  await expect(app.getByRole('dialog')).toHaveCount(0);
  const tick = app.getByLabel('Tick kbuser');
  await press(tick, 'Space');
  await expect(tick).toBeChecked();
  await press(app.getByTestId('bulk-bar').getByRole('button', { name: /^Deactivate/ }));
  const confirm = app.getByRole('dialog');
  await expect(confirm).toContainText('kbuser');
  await press(confirm.getByRole('button', { name: /^Deactivate/ }));
  await expect(confirm).toHaveCount(0);
  await expect(app.getByLabel('Reactivate kbuser')).toBeVisible();

  // Snapshots: the capture and import dialogs open with Enter and close with Esc.
  await app.keyboard.press('Control+7');
  for (const name of ['Capture from a server…', 'Import LDIF…']) {
    const opener = app.getByRole('button', { name });
    await press(opener);
    await expect(app.getByRole('dialog')).toBeVisible();
    await app.keyboard.press('Escape');
    await expect(app.getByRole('dialog')).toHaveCount(0);
  }
  await app.keyboard.press('Control+6');

  // The status filter is a select: arrow keys choose, and the list follows.
  const status = app.getByTestId('users-status-filter');
  await press(status, 'ArrowDown');
  await expect(status).toHaveValue('active');
  await expect(app.getByLabel('Tick kbuser')).toHaveCount(0);
});
