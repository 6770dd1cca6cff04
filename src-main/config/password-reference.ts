import { isAbsolute, resolve } from 'node:path';
import type { FieldIssue } from '../../src-shared/errors';
import type { PasswordRef } from '../store/servers-repo';

/** A password reference a config file may hold: an environment variable or a file, never a keychain item. */
export type ConfigPasswordRef = Extract<PasswordRef, { kind: 'env' | 'file' }>;

/** Why a config file may not hold a password, shown whenever it tries to. */
export const PLAINTEXT_PASSWORD_MESSAGE =
  'bindPassword must be a reference, { "env": NAME } or { "file": PATH }: a plaintext password in a config file would end up in version control and backups';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a `bindPassword` value and turns it into a reference. A relative file path is resolved
 * against `baseDir` (the config file's folder). Anything but `{ "env": NAME }` or
 * `{ "file": PATH }` is refused as a plaintext password.
 */
export function parseBindPassword(value: unknown, path: string, baseDir: string): { ref?: ConfigPasswordRef; issues: FieldIssue[] } {
  const isPlainObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const keys = isPlainObject ? Object.keys(value) : [];
  if (!isPlainObject || keys.length !== 1 || (keys[0] !== 'env' && keys[0] !== 'file')) {
    return { issues: [{ path, message: PLAINTEXT_PASSWORD_MESSAGE }] };
  }
  const v = (value as Record<string, unknown>)[keys[0]];
  if (keys[0] === 'env') {
    if (typeof v !== 'string' || !ENV_NAME.test(v)) {
      return { issues: [{ path: `${path}.env`, message: 'must be an environment variable name such as CORP_BIND_PASSWORD' }] };
    }
    return { ref: { kind: 'env', name: v }, issues: [] };
  }
  if (typeof v !== 'string' || v.trim() === '') {
    return { issues: [{ path: `${path}.file`, message: 'must be the path of a file holding the password' }] };
  }
  return { ref: { kind: 'file', path: isAbsolute(v) ? v : resolve(baseDir, v) }, issues: [] };
}
