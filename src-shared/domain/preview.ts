import type { ScriptName } from './mapping';
import type { ReferralReport } from './referrals';
import type { ScriptDiagnostic, ScriptErrorCode, ScriptLog } from './scripts';

/** Problems a preview row can carry (script failures use the script error codes). */
export type RowProblemCode = 'MISSING_USERNAME' | 'MISSING_EMAIL' | 'DUPLICATE_USERNAME' | 'UNKNOWN_ORG' | 'UNKNOWN_ROLE' | ScriptErrorCode;

/** Problems that do not stop a user from being synced as shown (the fix is on our side: create the organization or role). */
export const WARNING_CODES: readonly RowProblemCode[] = ['UNKNOWN_ORG', 'UNKNOWN_ROLE'];

/** One problem shown on its row. */
export interface RowProblem {
  code: RowProblemCode;
  /** 'warning' for an organization or role that does not exist yet; absent means an error. */
  severity?: 'warning';
  message: string;
  /** UNKNOWN_ORG / UNKNOWN_ROLE: the name the script returned. */
  name?: string;
  script?: ScriptName;
  line?: number;
  column?: number;
}

/** One would-be user. An entry with a multi-valued username attribute gives one row per value. */
export interface PreviewRow {
  dn: string;
  /** Position of the row's entry on the page (rows of one entry share it). */
  entryIndex: number;
  username: string | null;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  /** What the Active script returned; null when it failed. */
  active: boolean | null;
  /** What the Org name script returned (null without a script or when it failed). */
  org: string | null;
  /** What the Role name script returned ([] without a script). */
  roles: string[];
  errors: RowProblem[];
}

/** Counts for the summary line, over the rows of the page shown (not the whole result: see `total`). */
export interface PreviewSummary {
  entries: number;
  users: number;
  active: number;
  inactive: number;
  /** Rows with at least one error (a script that fails on every entry is counted once, in `scriptFailures`). */
  errors: number;
  /** Rows with warnings only (an organization or role that does not exist yet). */
  warnings: number;
  /** Total script time on this page, in milliseconds. */
  scriptMs: number;
}

/** How the username search matches: the whole username, its beginning, or any part of it. */
export const USERNAME_MATCHES = ['exact', 'prefix', 'contains'] as const;
export type UsernameMatch = (typeof USERNAME_MATCHES)[number];

/** A script that fails the same way on every entry (it does not compile or load): shown once, not on each row. */
export interface ScriptFailure {
  script: ScriptName;
  code: ScriptErrorCode;
  message: string;
  line?: number;
  column?: number;
  /** Entries of the page it failed on (every entry). */
  entries: number;
}

/** Names the scripts returned on this page that no organization or role has yet. */
export interface MissingNames {
  organizations: string[];
  roles: string[];
}

/** One page of the live preview. */
export interface PreviewResult {
  /** Entries the search matches in total (null while unknown). */
  total: number | null;
  /** 1-based page number and the page size used. */
  page: number;
  pageSize: number;
  /** Whether a next page exists. */
  hasMore: boolean;
  /** The rows shown: every row of the page, or only those with problems (`problemsOnly`). */
  rows: PreviewRow[];
  /** Only rows with problems were kept; `summary` still counts every row of the page. */
  problemsOnly: boolean;
  summary: PreviewSummary;
  /** When the page's entries were read from the directory or the snapshot (ISO 8601); a refresh reads them again. */
  readAt: string;
  /** Scripts that failed identically on every entry, shown once instead of on each row. */
  scriptFailures: ScriptFailure[];
  /** Organizations and roles the scripts returned on this page that do not exist yet. */
  missing: MissingNames;
  /** Microseconds per entry each script took on this page (null when the script is absent). */
  costs: Record<ScriptName, number | null>;
  /** Attribute names seen in the results (for the mapping pickers and `entry.` completion). */
  attributes: string[];
  /** A few values of each attribute seen on this page (no binary or password-like ones), shown in the attribute pickers. */
  attributeSamples?: Record<string, string[]>;
  logs: ScriptLog[];
  diagnostics: ScriptDiagnostic[];
  /** The username search applied, if any, how it matched, and the filter actually sent. */
  search: string | null;
  match: UsernameMatch;
  filter: string;
  /** The equivalent ldapsearch command for this page's search. */
  ldapsearch: string;
  /** Continuation references the search got (e.g. at an Active Directory domain root), and whether a sync would ignore them; null when none. */
  references?: ReferralReport | null;
}

/** One attribute value in the raw view: text, or size plus base64 for binary values. */
export type RawValue = { kind: 'text'; text: string } | { kind: 'binary'; size: number; base64: string };

/** Every attribute of one entry, as the server returned it. */
export interface RawEntry {
  dn: string;
  attributes: { name: string; values: RawValue[] }[];
  /** The groups the entry is in, direct and nested, nearest first: only when the scripts use the `groups` helpers. */
  groups?: string[];
}

/** Page sizes the preview offers. */
export const PREVIEW_PAGE_SIZES = [10, 25, 50, 100, 200] as const;

/** A saved server script that returns a given organization or role name (as a string in its text). */
export interface ScriptNameUse {
  serverId: string;
  serverName: string;
  script: ScriptName;
}
