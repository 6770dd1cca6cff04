import type { Page } from '@playwright/test';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { test, expect } from './fixtures';

// The Snapshots screen's LDIF import (issue 12.5): the file is chosen in main's dialog and read by
// main as a stream, with progress in bytes and Cancel; a hostile file is refused with its line.

async function go(app: Page, screen: 'Snapshots'): Promise<void> {
  await app.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: screen }).click();
}

/** Writes `n` people (~230 bytes each) to `path`, then `tail`. */
async function writePeople(path: string, n: number, tail = ''): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 1; i <= n; i++) {
    const ok = out.write(`dn: uid=user${i},ou=people,dc=x\nobjectClass: inetOrgPerson\nuid: user${i}\ncn: User ${i}\nsn: Number ${i}\nmail: user${i}@x.example\ndescription: ${'d'.repeat(80)}\n\n`);
    if (!ok) await once(out, 'drain');
  }
  out.end(tail);
  await once(out, 'finish');
}

test('imports a large file with progress, stops at Cancel keeping nothing, and refuses a 200k-character DN with its line', async ({ app, fileDialog, tempDir }) => {
  const dir = tempDir;
  const big = join(dir, 'people.ldif');
  const hostile = join(dir, 'hostile.ldif');
  await writePeople(big, 60_000);
  await writePeople(hostile, 10, `dn: cn=${'x'.repeat(200_000)},dc=x\ncn: x\n`);

  await go(app, 'Snapshots');
  await app.getByRole('button', { name: 'Import LDIF…' }).click();
  const dialog = app.getByTestId('import-dialog');
  await expect(dialog.getByRole('button', { name: 'Import' })).toBeDisabled();
  // A cancelled OS dialog changes nothing.
  await fileDialog.choose(null);
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await expect(dialog.getByTestId('import-file')).toHaveCount(0);

  await fileDialog.choose(big);
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await expect(dialog.getByTestId('import-file')).toHaveText(/people\.ldif, 1\d MB$/);
  await expect(dialog.getByLabel('Name')).toHaveValue('people');

  // Cancel while it runs: the progress names bytes read out of the file's size.
  await dialog.getByRole('button', { name: 'Import' }).click();
  const progress = dialog.getByTestId('job-progress');
  await expect(progress).toContainText(/[\d,]+ entries · [\d.]+ (KB|MB) of 1\d MB/);
  await progress.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog.getByTestId('import-error')).toContainText('Cancelled:');
  await expect(dialog.getByTestId('import-error')).toContainText('nothing was imported');

  // Again, to the end.
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog).toHaveCount(0, { timeout: 60_000 });
  await expect(app.getByTestId('snapshots-notice')).toHaveText('Imported “people”: 60,000 entries.');
  await expect(app.getByTestId('snapshot-row')).toHaveCount(1);

  await app.getByRole('button', { name: 'Import LDIF…' }).click();
  await fileDialog.choose(hostile);
  await dialog.getByRole('button', { name: 'Choose file…' }).click();
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByTestId('import-error')).toContainText('hostile.ldif, line 81: the DN is 200,008 characters long, over the limit of 65,536 characters');
  await expect(dialog.getByTestId('import-error')).toContainText('Nothing was imported');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(app.getByTestId('snapshot-row')).toHaveCount(1);
});
