import { test, expect } from './fixtures';

// RFC 4516 in the server form: an empty extension list or a bad extension type is refused under the
// URL field with the advice to remove the "?..." part; a host name with a trailing dot is accepted.
test('refuses an empty extension list with the fix, and accepts a fully qualified host ending in a dot', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  const url = app.getByLabel('URL and search base');
  const urlError = app.locator('#server-url-error');

  await url.fill('ldaps://dc1.corp.example.com/DC=corp,DC=example,DC=com????');
  await url.blur();
  await expect(url).toHaveAttribute('aria-invalid', 'true');
  await expect(urlError).toContainText('Remove the "?..." part after the search base');
  await expect(urlError).toContainText('nothing follows the "?" at position 57');

  await url.fill('ldaps://dc1.corp.example.com/DC=corp,DC=example,DC=com????1x=y');
  await url.blur();
  await expect(urlError).toContainText('"1x" at position 58 is not an extension type');

  await url.fill('ldaps://dc1.corp.example.com./DC=corp,DC=example,DC=com');
  await url.blur();
  await expect(url).not.toHaveAttribute('aria-invalid', 'true');
  await expect(urlError).toHaveCount(0);
});
