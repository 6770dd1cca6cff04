import { z } from 'zod';
import { AttributeMapping, ServerScripts } from './mapping';
import { ScriptTestCases } from './script-tests';

export { DEFAULT_PAGE_SIZE, DEFAULT_TIMEOUT_SECONDS, emptyServerDraft, MAX_PAGE_SIZE, MIN_PAGE_SIZE } from './server-defaults';

/** A certificate the admin explicitly trusted for one server. `pem` is public data. */
export const TrustedCertificate = z.object({
  fingerprint256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'SHA-256 fingerprint as AA:BB:...'),
  subject: z.string().max(4096),
  issuer: z.string().max(4096),
  validFrom: z.string().max(100),
  validTo: z.string().max(100),
  pem: z.string().min(1).max(65536),
});
export type TrustedCertificate = z.infer<typeof TrustedCertificate>;

/**
 * The editable fields of a server, as the setup form holds them (possibly unsaved).
 * Semantic checks (URL, DN, filter) live in `validateServerDraft`.
 */
export const ServerDraft = z.object({
  name: z.string().max(200),
  url: z.string().max(4096),
  startTls: z.boolean(),
  bindAnonymously: z.boolean(),
  bindDn: z.string().max(4096),
  searchFilter: z.string().max(8192),
  timeoutSeconds: z.number().int().min(1).max(3600),
  /** Entries per page of every paged read (sync, counts, doctor, capture); absent means {@link DEFAULT_PAGE_SIZE}. */
  pageSize: z.number().int().min(10).max(5000).optional(),
  trustedCertificates: z.array(TrustedCertificate).max(50),
  /** Which attributes fill email, first name and last name. */
  mapping: AttributeMapping,
  /** The Active, Org name and Role name scripts. */
  scripts: ServerScripts,
  /** Sync creates users for matching entries that have none (off by default: LDAP integration does not create users). */
  createUsers: z.boolean(),
  /** Where created users go when no Org name script places them (an organization id). */
  defaultOrgId: z.string().uuid().nullable(),
  /** Offline: no connection at all; the snapshot is the only source (previews and simulations). */
  offline: z.boolean(),
  /** The snapshot attached as this server's source (previews and simulations can run over it). */
  snapshotId: z.string().uuid().nullable(),
  /** Saved test cases of the scripts. */
  scriptTests: ScriptTestCases,
});
export type ServerDraft = z.infer<typeof ServerDraft>;

/**
 * How the form asks main to handle the bind password:
 * keep the stored one, set a new value (stored in the OS keychain), reference an
 * environment variable or a file, or have none.
 */
export const PasswordInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keep') }),
  z.object({ kind: z.literal('value'), value: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('env'), name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as CORP_BIND_PASSWORD') }),
  z.object({ kind: z.literal('file'), path: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('none') }),
]);
export type PasswordInput = z.infer<typeof PasswordInput>;

/**
 * A bind password as the window may give it. Never a file path or an environment variable name:
 * a compromised renderer must not make main read a file or a variable and send it to a server of
 * its choosing. A file is chosen in main's own file dialog (`servers.choosePasswordFile`), which
 * hands the window an opaque token for it; environment variables are for the CLI and config files.
 */
export const WindowPasswordInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keep') }),
  z.object({ kind: z.literal('value'), value: z.string().min(1).max(4096) }),
  z.object({ kind: z.literal('chosenFile'), token: z.string().uuid() }),
  z.object({ kind: z.literal('none') }),
]);
export type WindowPasswordInput = z.infer<typeof WindowPasswordInput>;

/** A file chosen in main's dialog: the token the window passes back, and the path to show. */
export interface ChosenFile {
  token: string;
  path: string;
}

/** What the renderer may know about a stored bind password: where it lives, never its value. */
export type PasswordState =
  | { kind: 'none' }
  | { kind: 'keychain' }
  | { kind: 'env'; name: string }
  | { kind: 'file'; path: string };

/** The outcome of the last connection test of a saved server. */
export interface LastTest {
  at: string;
  reachable: boolean;
  bindable: boolean;
  matches: number | null;
  errorMessage: string | null;
}

/** A saved server as the renderer and the CLI see it. Holds no secret. */
export interface ServerView extends ServerDraft {
  id: string;
  password: PasswordState;
  /** Set when the stored password was cleared because the URL's scheme, host or port, the TLS mode or the bind DN changed. */
  passwordClearedAt: string | null;
  lastTest: LastTest | null;
  createdAt: string;
  updatedAt: string;
}

/** The editable fields of a saved server (a view without its id, password state, test and times). */
export function draftOfView(s: ServerView): ServerDraft {
  return {
    name: s.name,
    url: s.url,
    startTls: s.startTls,
    bindAnonymously: s.bindAnonymously,
    bindDn: s.bindDn,
    searchFilter: s.searchFilter,
    timeoutSeconds: s.timeoutSeconds,
    pageSize: s.pageSize,
    trustedCertificates: s.trustedCertificates,
    mapping: s.mapping,
    scripts: s.scripts,
    createUsers: s.createUsers,
    defaultOrgId: s.defaultOrgId,
    offline: s.offline,
    snapshotId: s.snapshotId,
    scriptTests: s.scriptTests,
  };
}
