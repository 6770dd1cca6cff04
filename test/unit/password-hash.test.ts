import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkLocalPassword, hashPassword, SCRYPT_PARAMS, verifyPassword } from '../../src-main/auth/password-hash';
import { AppError } from '../../src-shared/errors';

describe('local password hashing (scrypt)', () => {
  it('verifies the password it was made from and nothing else', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('stores the parameters and a salt of its own with every hash, never the password', async () => {
    const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
    expect(a).not.toBe(b);
    const [kind, N, r, p, salt, key] = a.split('$');
    expect([kind, Number(N), Number(r), Number(p)]).toEqual(['scrypt', SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p]);
    expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    expect(a).not.toContain('same password');
    // The key is RFC 7914 scrypt of the password and salt: the same as node:crypto computes directly.
    const direct = scryptSync('same password!', Buffer.from(salt, 'base64'), 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    expect(key).toBe(direct.toString('base64'));
  });

  it('treats composed and decomposed forms of a character as the same password (NFC)', async () => {
    const stored = await hashPassword('Zo\u00eb-password-1');
    expect(await verifyPassword('Zoe\u0308-password-1', stored)).toBe(true);
  });

  it('never matches a stored text that is not its own, nor one asking for absurd costs', async () => {
    expect(await verifyPassword('x', 'plain text')).toBe(false);
    expect(await verifyPassword('x', `scrypt$${2 ** 30}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=`)).toBe(false);
  });

  it('refuses a local password shorter than 12 characters, counting characters and not bytes', () => {
    expect(() => checkLocalPassword('elevenchars')).toThrow(AppError);
    expect(() => checkLocalPassword('twelve chars')).not.toThrow();
    expect(() => checkLocalPassword('😀'.repeat(11))).toThrow(/at least 12 characters \(this one has 11\)/);
    expect(() => checkLocalPassword('x'.repeat(1025))).toThrow(/at most 1024/);
  });
});
