import { test, expect } from './fixtures';
import { run } from '../rig/exec';
import { startSlapd, type Slapd } from '../rig/slapd';

// A continuation reference under the search base (an OpenLDAP `referral` entry pointing at another
// directory): the preview shows its page with a warning that a sync would fail, and the doctor's
// search stage fails with the fix. (Active Directory's harmless domain-root references are tested
// against Samba in test/integration/ad-referrals.test.ts.)
let slapd: Slapd;
test.beforeAll(async () => {
  slapd = await startSlapd({ users: 30, logOps: false });
  const ldif = `dn: ou=remote,${slapd.baseDn}\nobjectClass: referral\nobjectClass: extensibleObject\nou: remote\nref: ldap://127.0.0.1:1/ou=remote,dc=elsewhere,dc=org\n\n`;
  await run('ldapadd', ['-x', '-M', '-H', slapd.url, '-D', slapd.rootDn, '-w', slapd.rootPw], { input: ldif });
});
test.afterAll(async () => {
  await slapd?.stop();
});

test('a referral under the base: the preview warns that a sync would fail, the doctor fails its search stage with the fix', async ({ app }) => {
  await app.getByRole('button', { name: 'Add a server' }).click();
  await app.getByLabel('Server name').fill('Corp');
  await app.getByLabel('URL and search base').fill(`${slapd.url}/${slapd.baseDn}`);
  await app.getByLabel('Bind DN').fill(slapd.syncDn);
  await app.getByLabel('Bind password').fill(slapd.syncPw);

  await expect(app.getByTestId('preview-row')).toHaveCount(30);
  const note = app.getByTestId('preview-references');
  await expect(note).toContainText('The search returned 1 continuation reference');
  await expect(note).toContainText('a sync would fail rather than miss the entries they hold: ou=remote,dc=elsewhere,dc=org');
  await expect(note).toHaveClass(/warning-text/);

  await app.getByLabel('Bind DN').press('Enter');
  await expect(app.getByTestId('stage-search')).toHaveAttribute('data-status', 'failed');
  await expect(app.getByTestId('stage-search-error')).toContainText('30 matches');
  await expect(app.getByTestId('stage-search-error')).toContainText('Narrow the search base');
});
