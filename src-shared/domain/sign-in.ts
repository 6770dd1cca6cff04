/**
 * Sign-in and registration as the Test sign-in panel and `ldap-sync auth` see them: the input, the
 * outcome codes, and the result with its timed steps. The password is only ever an input.
 */
import { z } from 'zod';

/** The longest password accepted anywhere (a longer one is refused before any hashing or bind). */
export const MAX_PASSWORD_LENGTH = 1024;

/** Minimum length of a local password (NIST SP 800-63B asks for at least 8; we ask for 12). */
export const MIN_LOCAL_PASSWORD_LENGTH = 12;

/** A sign-in attempt. `register` records a new user (and the device) when it is allowed. */
export const SignInInput = z.object({
  username: z.string().trim().min(1, 'Enter a username').max(256, 'at most 256 characters'),
  // Never trimmed: spaces are part of a password. Empty is refused by the service, as a result.
  password: z.string().max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`),
  registrationKey: z.string().trim().max(200).nullable(),
  register: z.boolean(),
  device: z.string().trim().min(1, 'Enter a device name').max(200, 'at most 200 characters').nullable(),
});
export type SignInInput = z.infer<typeof SignInInput>;

/** Why a sign-in was allowed or refused; scripts and the app branch on these, never on messages. */
export const SIGN_IN_CODES = [
  'OK',
  'EMPTY_PASSWORD',
  'NOT_FOUND',
  'AMBIGUOUS',
  'INVALID_CREDENTIALS',
  /** The directory refused the bind for the account itself: disabled, locked, expired... (Active Directory says which). */
  'ACCOUNT_RESTRICTED',
  'DEACTIVATED',
  /** The entry the search found is not the user's (another directory ID: the username was given to someone else). */
  'OTHER_ENTRY',
  'INACTIVE_IN_DIRECTORY',
  'REGISTRATION_DENIED',
  'UNKNOWN_REGISTRATION_KEY',
  /** No user has that username and no registration key was given. */
  'NOT_REGISTERED',
  /** A user of a local organization who has no local password yet. */
  'NO_LOCAL_PASSWORD',
  'DIRECTORY_UNAVAILABLE',
] as const;
export type SignInCode = (typeof SIGN_IN_CODES)[number];

/** Steps of a sign-in, in the order they run (not every attempt has every step). */
export type SignInStepName = 'organization' | 'search' | 'dn' | 'bind' | 'scripts' | 'local password' | 'account' | 'registration' | 'outcome';

/** One step and its time. `detail` never holds the password. */
export interface SignInStep {
  name: SignInStepName;
  ok: boolean;
  ms: number;
  detail: string;
}

/** The user a sign-in concerns: the stored one, or the one a registration creates (or would create). */
export interface SignInUser {
  username: string;
  email: string | null;
  org: string;
  roles: string[];
  active: boolean;
  /** 'local' (local password), or the name of the LDAP server the user signs in with. */
  source: string;
}

/** The outcome of a sign-in attempt (the JSON of `ldap-sync auth --json`). */
export interface SignInResult {
  allowed: boolean;
  code: SignInCode;
  message: string;
  steps: SignInStep[];
  user: SignInUser | null;
  /** True when this attempt stored a new user or a new device. */
  registered: boolean;
}
