/**
 * Bind accounts in the states Active Directory refuses with a named sub-code (expired, must change
 * password, locked out, restricted hours or workstations), made on a running test DC through LDAP
 * as Administrator. Each has the right password, so only its state is wrong.
 *
 * Not made: a password that has expired (sub-code 532). Samba treats a maximum password age under
 * one day as "never" (in a PSO too), and pwdLastSet cannot be set to a past time over LDAP.
 */
import { Client } from 'ldapts';
import { SAMBA_BASE_DN, SAMBA_REALM, SAMBA_SERVICE_DN, unicodePwd, type SambaDc } from './samba';

/** One made account: its DN, UPN and (correct) password. */
export interface MadeAccount {
  dn: string;
  upn: string;
  password: string;
}

/** The states {@link addRestrictedAccounts} makes, by name. */
export const ACCOUNT_STATES = ['expired', 'mustChange', 'locked', 'noHours', 'workstation'] as const;
export type AccountState = (typeof ACCOUNT_STATES)[number];

const PASSWORD = 'State-Pass-2026!';
/** Wrong binds that lock an account under the lockout PSO below. */
const LOCKOUT_THRESHOLD = 2;

function account(state: AccountState): MadeAccount {
  const sam = `state-${state.toLowerCase()}`;
  return { dn: `CN=State ${state},${SAMBA_SERVICE_DN}`, upn: `${sam}@${SAMBA_REALM.toLowerCase()}`, password: PASSWORD };
}

function userLdif(state: AccountState, extra: string[]): string {
  const a = account(state);
  const sam = a.upn.split('@')[0];
  // 66048 = normal account + password never expires, like a service account; extra lines override.
  const uac = extra.find((l) => l.startsWith('userAccountControl:')) ?? 'userAccountControl: 66048';
  return [`dn: ${a.dn}`, 'objectClass: user', `sAMAccountName: ${sam}`, `userPrincipalName: ${a.upn}`, `unicodePwd:: ${unicodePwd(a.password)}`, uac, ...extra.filter((l) => !l.startsWith('userAccountControl:'))].join('\n');
}

/**
 * A fine-grained password policy (PSO) applied to one account only, so the domain's own policy
 * (and every other test account) stays as provisioned. Durations are negative 100 ns intervals.
 */
function psoLdif(name: string, appliesTo: string, o: { maxAge: string; lockoutThreshold: number }): string {
  return [
    `dn: CN=${name},CN=Password Settings Container,CN=System,${SAMBA_BASE_DN}`,
    'objectClass: msDS-PasswordSettings',
    'msDS-PasswordSettingsPrecedence: 1',
    'msDS-PasswordReversibleEncryptionEnabled: FALSE',
    'msDS-PasswordHistoryLength: 0',
    'msDS-PasswordComplexityEnabled: FALSE',
    'msDS-MinimumPasswordLength: 0',
    'msDS-MinimumPasswordAge: 0',
    `msDS-MaximumPasswordAge: ${o.maxAge}`,
    `msDS-LockoutThreshold: ${o.lockoutThreshold}`,
    'msDS-LockoutObservationWindow: -18000000000',
    'msDS-LockoutDuration: -18000000000',
    `msDS-PSOAppliesTo: ${appliesTo}`,
  ].join('\n');
}

/** Fails simple binds with a wrong password until the account is locked out. */
async function lockOut(dc: SambaDc, who: MadeAccount): Promise<void> {
  for (let i = 0; i < LOCKOUT_THRESHOLD + 1; i++) {
    const client = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: [dc.caPem] }, timeout: 10_000, connectTimeout: 10_000 });
    try {
      await client.bind(who.upn, 'Wrong-Pass-0!');
    } catch {
      // expected: each wrong bind counts toward the lockout
    } finally {
      await client.unbind().catch(() => {});
    }
  }
}

/**
 * Adds one bind account per state to the running DC and brings each into its state:
 * expired (accountExpires in 1601), mustChange (pwdLastSet 0), locked (wrong binds under a
 * lockout PSO), noHours (logonHours all zero), workstation (userWorkstations names another
 * computer).
 */
export async function addRestrictedAccounts(dc: SambaDc): Promise<Record<AccountState, MadeAccount>> {
  const zeroHours = Buffer.alloc(21).toString('base64');
  await dc.add(
    [
      userLdif('expired', ['accountExpires: 1']),
      userLdif('mustChange', ['userAccountControl: 512']),
      userLdif('locked', ['userAccountControl: 512']),
      userLdif('noHours', [`logonHours:: ${zeroHours}`]),
      userLdif('workstation', ['userWorkstations: NOT-THIS-PC']),
      psoLdif('Lockout Test PSO', account('locked').dn, { maxAge: '-864000000000', lockoutThreshold: LOCKOUT_THRESHOLD }),
    ].join('\n\n') + '\n',
  );
  await dc.modify([`dn: ${account('mustChange').dn}`, 'changetype: modify', 'replace: pwdLastSet', 'pwdLastSet: 0', '-', ''].join('\n'));
  await lockOut(dc, account('locked'));
  return Object.fromEntries(ACCOUNT_STATES.map((s) => [s, account(s)])) as Record<AccountState, MadeAccount>;
}
