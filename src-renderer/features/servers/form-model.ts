// Pure helpers behind the server setup form: the write-only password model, dirty checks, field issues.
import type { FieldIssue } from '../../../src-shared/errors';
import type { CertificateInfo } from '../../../src-shared/domain/doctor';
import type { AttributeMapping, ServerScripts } from '../../../src-shared/domain/mapping';
import { DEFAULT_PAGE_SIZE, type ChosenFile, type ServerDraft, type ServerView, type TrustedCertificate, type WindowPasswordInput } from '../../../src-shared/domain/server';
import { passwordDestinationChanged } from '../../../src-shared/domain/password-destination';

/**
 * Where a newly entered bind password comes from: typed (kept in the OS keychain) or a file chosen
 * in main's file dialog. Environment variables are set by config files and the CLI only.
 */
export type PasswordSource = 'keychain' | 'file';

/**
 * The password part of the form. `editing` false means "keep what is stored" (only for a saved server
 * with a stored password); the typed value lives only here and is dropped after a successful save.
 */
export interface PasswordEdit {
  editing: boolean;
  source: PasswordSource;
  value: string;
  /** The file chosen in main's dialog (its token and path), or null. */
  file: ChosenFile | null;
}

/** The fields of the form that can carry an issue, in display order. */
export const FIELD_PATHS = [
  'name',
  'offline',
  'snapshotId',
  'url',
  'startTls',
  'bindAnonymously',
  'bindDn',
  'password',
  'searchFilter',
  'timeoutSeconds',
  'pageSize',
  'trustedCertificates',
  'mapping.email',
  'mapping.firstName',
  'mapping.lastName',
  'scripts.active',
  'scripts.orgName',
  'scripts.roleName',
  'createUsers',
  'defaultOrgId',
  'scriptTests',
] as const;
export type FieldPath = (typeof FIELD_PATHS)[number];

/** The editable draft of a saved server (its ServerDraft fields, without id, password state or history). */
export function draftOf(server: ServerView): ServerDraft {
  return {
    name: server.name,
    url: server.url,
    startTls: server.startTls,
    bindAnonymously: server.bindAnonymously,
    bindDn: server.bindDn,
    searchFilter: server.searchFilter,
    timeoutSeconds: server.timeoutSeconds,
    pageSize: server.pageSize,
    trustedCertificates: server.trustedCertificates.map((c) => ({ ...c })),
    mapping: { ...server.mapping },
    scripts: { ...server.scripts },
    createUsers: server.createUsers,
    defaultOrgId: server.defaultOrgId,
    offline: server.offline,
    snapshotId: server.snapshotId,
    scriptTests: structuredClone(server.scriptTests),
  };
}

/** True when two drafts hold the same values. */
export function sameDraft(a: ServerDraft, b: ServerDraft): boolean {
  return (
    a.name === b.name &&
    a.url === b.url &&
    a.startTls === b.startTls &&
    a.bindAnonymously === b.bindAnonymously &&
    a.bindDn === b.bindDn &&
    a.searchFilter === b.searchFilter &&
    a.timeoutSeconds === b.timeoutSeconds &&
    (a.pageSize ?? DEFAULT_PAGE_SIZE) === (b.pageSize ?? DEFAULT_PAGE_SIZE) &&
    a.trustedCertificates.length === b.trustedCertificates.length &&
    a.trustedCertificates.every((c, i) => c.fingerprint256 === b.trustedCertificates[i]?.fingerprint256) &&
    sameMapping(a.mapping, b.mapping) &&
    sameScripts(a.scripts, b.scripts) &&
    a.createUsers === b.createUsers &&
    a.defaultOrgId === b.defaultOrgId &&
    a.offline === b.offline &&
    a.snapshotId === b.snapshotId &&
    JSON.stringify(a.scriptTests) === JSON.stringify(b.scriptTests)
  );
}

/** True when two attribute mappings name the same attributes. */
export function sameMapping(a: AttributeMapping, b: AttributeMapping): boolean {
  return a.email === b.email && a.firstName === b.firstName && a.lastName === b.lastName;
}

/** True when two script sets hold the same source text (an absent script equals only an absent one). */
export function sameScripts(a: ServerScripts, b: ServerScripts): boolean {
  return a.active === b.active && a.orgName === b.orgName && a.roleName === b.roleName;
}

/** The password part of a fresh form: closed ("keep") when a password is stored, open otherwise. */
export function initialPasswordEdit(saved: ServerView | null): PasswordEdit {
  const state = saved?.password ?? { kind: 'none' as const };
  return {
    editing: state.kind === 'none',
    source: state.kind === 'file' ? 'file' : 'keychain',
    value: '',
    file: null,
  };
}

/** What to send as `password` in servers.test / create / update for the current form. */
export function passwordInputOf(saved: ServerView | null, pw: PasswordEdit, bindAnonymously: boolean): WindowPasswordInput {
  const unchanged: WindowPasswordInput = saved ? { kind: 'keep' } : { kind: 'none' };
  if (bindAnonymously || !pw.editing) return unchanged;
  if (pw.source === 'keychain') return pw.value ? { kind: 'value', value: pw.value } : unchanged;
  return pw.file ? { kind: 'chosenFile', token: pw.file.token } : unchanged;
}

/** True when the password input would change what is stored. */
export function passwordChanged(saved: ServerView | null, input: WindowPasswordInput, chosen: ChosenFile | null = null): boolean {
  const stored = saved?.password ?? { kind: 'none' as const };
  switch (input.kind) {
    case 'keep':
    case 'none':
      return false;
    case 'value':
      return true;
    case 'chosenFile':
      return !(stored.kind === 'file' && stored.path === chosen?.path);
  }
}

/** True when the URL uses plain ldap:// (the only scheme StartTLS applies to). */
export function isPlainLdap(url: string): boolean {
  return /^\s*ldap:\/\//i.test(url);
}

/**
 * True when saving would clear the stored password because the scheme, host, port, TLS mode or bind DN changed (so a password
 * is never sent to a server it was not meant for). The same rule as main's (src-shared/domain/password-destination.ts).
 */
export function willClearPassword(saved: ServerView | null, draft: ServerDraft): boolean {
  if (!saved || saved.password.kind === 'none') return false;
  return passwordDestinationChanged(saved, draft);
}

/** Maps an issue path from main (e.g. `draft.url`, `password.value`) to a form field, or null. */
export function fieldOfPath(path: string): FieldPath | null {
  const p = path.replace(/^draft\./, '');
  if (p === 'password' || p.startsWith('password.')) return 'password';
  if (p.startsWith('trustedCertificates')) return 'trustedCertificates';
  if (p.startsWith('scriptTests')) return 'scriptTests';
  return (FIELD_PATHS as readonly string[]).includes(p) ? (p as FieldPath) : null;
}

/** The first message per field, plus the issues that belong to no field. */
export function groupIssues(issues: FieldIssue[]): { byField: Partial<Record<FieldPath, string>>; other: FieldIssue[] } {
  const byField: Partial<Record<FieldPath, string>> = {};
  const other: FieldIssue[] = [];
  for (const issue of issues) {
    const field = fieldOfPath(issue.path);
    if (!field) other.push(issue);
    else if (!byField[field]) byField[field] = issue.message;
  }
  return { byField, other };
}

/** The TrustedCertificate stored when the admin trusts a certificate the doctor proposed. */
export function toTrusted(cert: CertificateInfo): TrustedCertificate {
  return {
    fingerprint256: cert.fingerprint256,
    subject: cert.subject,
    issuer: cert.issuer,
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    pem: cert.pem,
  };
}

/** Parses the timeout text box: a whole number of seconds, or NaN. */
export function parseTimeout(text: string): number {
  return /^\s*\d+\s*$/.test(text) ? Number(text.trim()) : Number.NaN;
}
