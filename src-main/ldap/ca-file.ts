/**
 * The server's trusted certificates written to a private PEM file, so that the equivalent
 * `ldapsearch` line the app prints can name it in `LDAPTLS_CACERT=...` and work when pasted: libldap
 * does not know the certificates trusted in this app. Certificates are public data; the file is
 * still private (0600 in a 0700 folder of the user's own) so that nobody can swap in another CA.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrustedCertificate } from '../../src-shared/domain/server';

/** The folder holding the files: per user, under the system's temporary folder. */
export function caFolder(): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username;
  return path.join(os.tmpdir(), `ldap-sync-studio-ca-${user}`);
}

/** True when `dir` is a real folder of this user that nobody else may write to. */
function privateFolder(dir: string): boolean {
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) return false;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return true;
}

/**
 * Writes the PEMs of `trusted` to `<caFolder>/ca-<hash>.pem` (named by their content, so the same
 * certificates give the same file and a printed line keeps working) and returns its path; null when
 * there is nothing to write or the folder is not private (the line then goes without the variable).
 */
export function writeTrustedCaFile(trusted: readonly Pick<TrustedCertificate, 'pem'>[], folder: string = caFolder()): string | null {
  if (trusted.length === 0) return null;
  const pem = trusted.map((c) => c.pem.trim() + '\n').join('');
  const file = path.join(folder, `ca-${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.pem`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    if (!privateFolder(folder)) return null;
    try {
      if (readFileSync(file, 'utf8') === pem && (lstatSync(file).mode & 0o077) === 0) return file;
    } catch {
      // not written yet
    }
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  } catch {
    return null;
  }
}
