/**
 * Local passwords, hashed with scrypt from node:crypto (RFC 7914): a random 16-byte salt per
 * password, N = 2^15, r = 8, p = 1 (OWASP's minimum for scrypt), a 32-byte key, compared in
 * constant time. The parameters are stored with each hash, so they can be raised later without
 * invalidating stored passwords. scrypt runs in libuv's thread pool: it never blocks the main thread.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MAX_PASSWORD_LENGTH, MIN_LOCAL_PASSWORD_LENGTH } from '../../src-shared/domain/sign-in';
import { AppError } from '../../src-shared/errors';

/** Cost parameters of new hashes. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  // 128 * N * r bytes of memory (32 MiB at the defaults): allow twice that, node's default is exactly 32 MiB.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Refuses a password that is too short or too long for a local password, naming the rule
 * (INVALID_INPUT on the `password` field).
 */
export function checkLocalPassword(password: string): void {
  const length = [...password].length;
  if (length < MIN_LOCAL_PASSWORD_LENGTH) {
    const text = `A local password needs at least ${MIN_LOCAL_PASSWORD_LENGTH} characters (this one has ${length}).`;
    throw new AppError('INVALID_INPUT', text, [{ path: 'password', message: text }]);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    const text = `A local password may have at most ${MAX_PASSWORD_LENGTH} characters.`;
    throw new AppError('INVALID_INPUT', text, [{ path: 'password', message: text }]);
  }
}

/** The stored form of a new password: `scrypt$N$r$p$salt$key` (base64). Check it first with {@link checkLocalPassword}. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, N, r, p);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** True when `password` is the one `stored` was made from. A stored text that is not ours never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  // Bounds keep a damaged row from asking for gigabytes.
  if (![N, r, p].every(Number.isSafeInteger) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length !== KEY_LENGTH || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await derive(password, salt, N, r, p);
  return timingSafeEqual(key, expected);
}
