import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { focusedEditor } from './layout-checks';

// The keyboard path: Tab never gets trapped in a script editor, indentation has its own keys (shown
// under the editor), and the server page's parts, the split and the dialogs work without a mouse.

/** Whether the keyboard focus is inside the script editor with this accessible name. */
async function focusInEditor(app: Page, label: string): Promise<boolean> {
  return (await focusedEditor(app)) === label;
}

async function openSampleByKeyboard(app: Page): Promise<void> {
  await expect(app.getByRole('button', { name: 'Open the sample directory' })).toBeVisible();
  await app.getByRole('button', { name: 'Open the sample directory' }).focus();
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('preview-row')).toHaveCount(50);
}

test('Tab and Shift+Tab leave a script editor without typing into it; Ctrl+] and Ctrl+[ indent and outdent', async ({ app }) => {
  await openSampleByKeyboard(app);
  const editor = app.getByRole('textbox', { name: 'Active script' });
  const before = await editor.textContent();
  await expect(app.getByTestId('editor-keys-active')).toHaveText(/^Tab moves to the next field · (Ctrl|⌘)\+\] indents · (Ctrl|⌘)\+\[ outdents$/);

  await editor.click();
  expect(await focusInEditor(app, 'Active script')).toBe(true);
  await app.keyboard.press('Tab');
  expect(await focusInEditor(app, 'Active script')).toBe(false);
  await editor.click();
  await app.keyboard.press('Shift+Tab');
  expect(await focusInEditor(app, 'Active script')).toBe(false);
  await expect(editor).toHaveText(before ?? '');
  await expect(app.getByRole('heading', { name: 'Sample directory', exact: true })).not.toContainText('unsaved changes');

  // Indentation on its own keys: the line under the cursor moves right, then back.
  await editor.click();
  await app.keyboard.press('Control+Home');
  await app.keyboard.press('Control+]');
  // textContent, not toHaveText: the matcher ignores the leading whitespace that indenting adds.
  await expect.poll(() => editor.textContent()).toBe(`  ${before}`);
  await expect(app.getByRole('heading', { name: 'Sample directory' })).toContainText('unsaved changes');
  // The unsaved state re-renders the page around the editor: put the cursor back on line 1 first.
  await editor.focus();
  await app.keyboard.press('Control+Home');
  await app.keyboard.press('Control+[');
  await expect.poll(() => editor.textContent()).toBe(before);
});

test('the server page works from the keyboard: parts, split, raw view, simulation and screens', async ({ app }) => {
  await openSampleByKeyboard(app);

  // The jump bar moves the focus to the part it names, in view.
  await app.getByRole('navigation', { name: 'Parts of this server' }).getByRole('button', { name: 'Scripts' }).focus();
  await app.keyboard.press('Enter');
  await expect(app.locator('#scripts-heading')).toBeFocused();
  await expect(app.locator('#scripts-heading')).toBeInViewport();
  await app.getByRole('navigation', { name: 'Parts of this server' }).getByRole('button', { name: 'Preview' }).focus();
  await app.keyboard.press('Enter');
  await expect(app.locator('#preview-heading')).toBeFocused();

  // The separator between setup and preview moves with the arrow keys; Enter puts it back.
  const split = app.getByRole('separator', { name: 'Resize the setup and the preview' });
  await split.focus();
  const start = Number(await split.getAttribute('aria-valuenow'));
  await app.keyboard.press('ArrowRight');
  await expect(split).toHaveAttribute('aria-valuenow', String(start + 5));
  await app.keyboard.press('Home');
  await expect(split).toHaveAttribute('aria-valuenow', '25');
  await app.keyboard.press('Enter');
  await expect(split).toHaveAttribute('aria-valuenow', '44');

  // A row's raw view opens with Enter and closes with Esc, giving the focus back to its button.
  const raw = app.locator('tbody.entry-group').first().getByRole('button', { name: 'Raw' });
  await raw.focus();
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('raw-view')).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(app.getByTestId('raw-view')).toHaveCount(0);
  await expect(raw).toBeFocused();

  // Simulate with these drafts from the toolbar, and its dialog closed with Esc.
  await app.getByRole('button', { name: 'Simulate with these drafts' }).focus();
  await app.keyboard.press('Enter');
  const simulation = app.getByTestId('draft-simulation');
  await expect(simulation.getByTestId('run-status')).toHaveText('Simulated', { timeout: 30_000 });
  await app.keyboard.press('Escape');
  await expect(simulation).toHaveCount(0);

  // Ctrl+number switches screens; the tab strip is reachable with Tab.
  await app.keyboard.press('Control+3');
  await expect(app.getByRole('heading', { name: 'History', exact: true })).toBeVisible();
  await app.keyboard.press('Control+1');
  await expect(app.getByRole('heading', { name: 'Sample directory', exact: true })).toBeVisible();
});

test('a refused save (Ctrl+S) brings the first invalid field into view and gives it the focus', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Broken');
  await app.getByLabel('URL and search base').fill('http://dir.example.com/dc=x');
  // Scroll the setup away from the URL, as after working on the scripts.
  await app.getByRole('navigation', { name: 'Parts of this server' }).getByRole('button', { name: 'Scripts' }).click();
  await app.keyboard.press('Control+s');
  await expect(app.getByTestId('form-error')).toBeVisible();
  await expect(app.getByLabel('URL and search base')).toBeFocused();
  await expect(app.getByLabel('URL and search base')).toBeInViewport();
  await expect(app.getByTestId('server-item')).toHaveCount(0);
});
