import { expect, type Page } from '@playwright/test';

/**
 * Replaces the whole text of a script editor (a CodeMirror editor, found by its accessible name) the
 * way an admin does: Ctrl/Cmd+A in the editor, the new text in one go, and then checks that the
 * editor holds exactly that text, line by line (indentation aside: the editor re-indents a line
 * typed after an unclosed bracket, as it does for an admin).
 *
 * Not Playwright's fill(): it selects the content through the DOM and inserts at once, and
 * CodeMirror, which owns the selection, could put its own back in between (more likely on a busy
 * machine). The text then went in at the old cursor, before the old text, and a check that the
 * editor "contains" the new text still passed: the flaky preview test's leftover diagnostics
 * ("line 1, column 51: expecting ';'" was the old "function(entry) { return entry.emp" followed
 * by the new script).
 */
export async function replaceScript(app: Page, label: string, text: string): Promise<void> {
  const editor = app.getByRole('textbox', { name: label });
  await editor.focus();
  await app.keyboard.press('ControlOrMeta+a');
  await app.keyboard.insertText(text);
  const lines = (t: string) => t.split('\n').map((line) => line.trimStart());
  await expect
    .poll(async () => (await editor.locator('.cm-line').allTextContents()).map((line) => line.trimStart()), { message: `the ${label} holds exactly the new text` })
    .toEqual(lines(text));
}
