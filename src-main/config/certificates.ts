import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { TrustedCertificate } from '../../src-shared/domain/server';
import { AppError, type FieldIssue } from '../../src-shared/errors';
import { parseTrustedPem } from '../ldap/certificate';
import { CertificateEntrySchema } from './config-schema';

/** The most certificates one server may trust, as the form allows. */
export const MAX_TRUSTED_CERTIFICATES = 50;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Every certificate of a PEM text (a bundle may hold several), each checked with parseTrustedPem. */
export function certificatesOfPem(pem: string, path: string): { certs: TrustedCertificate[]; issues: FieldIssue[] } {
  const blocks = pem.match(PEM_BLOCK) ?? [pem];
  const certs: TrustedCertificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(parseTrustedPem(block, path));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { certs: [], issues: [{ path, message: 'not a PEM certificate (expected text starting with -----BEGIN CERTIFICATE-----)' }] };
    }
  }
  return { certs, issues: [] };
}

/**
 * Loads one `trustedCertificates` entry: `{ file }` (relative to `baseDir`) or `{ pem }`.
 * Problems are returned with the entry's JSON path.
 */
export function loadCertificateEntry(entry: { file?: string; pem?: string }, path: string, baseDir: string): { certs: TrustedCertificate[]; issues: FieldIssue[] } {
  if (entry.pem !== undefined) return certificatesOfPem(entry.pem, `${path}.pem`);
  const file = isAbsolute(entry.file!) ? entry.file! : resolve(baseDir, entry.file!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message;
    return { certs: [], issues: [{ path: `${path}.file`, message: `cannot read ${file} (${why})` }] };
  }
  const loaded = certificatesOfPem(text, `${path}.file`);
  return loaded.issues.length ? { certs: [], issues: [{ path: `${path}.file`, message: `${file} is not a PEM certificate (expected text starting with -----BEGIN CERTIFICATE-----)` }] } : loaded;
}

/**
 * Loads every well-formed entry of a server's `trustedCertificates` (malformed ones are reported
 * by the shape check), so a bad entry does not hide the problems of its neighbours.
 */
export function loadTrustedCertificates(entries: unknown, path: string, baseDir: string): { certs: TrustedCertificate[]; issues: FieldIssue[] } {
  const certs: TrustedCertificate[] = [];
  const issues: FieldIssue[] = [];
  (Array.isArray(entries) ? entries : []).forEach((raw: unknown, j) => {
    const entry = CertificateEntrySchema.safeParse(raw);
    if (!entry.success) return;
    const loaded = loadCertificateEntry(entry.data, `${path}[${j}]`, baseDir);
    issues.push(...loaded.issues);
    certs.push(...loaded.certs);
  });
  if (certs.length > MAX_TRUSTED_CERTIFICATES) {
    issues.push({ path, message: `holds ${certs.length} certificates (bundles counted one by one); trust at most ${MAX_TRUSTED_CERTIFICATES}` });
  }
  return { certs, issues };
}
