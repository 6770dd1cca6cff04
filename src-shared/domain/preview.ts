import type { ScriptName } from './mapping';
import type { ReferralReport } from './referrals';
import type { ScriptDiagnostic, ScriptErrorCode, ScriptLog } from './scripts';

/** Problems a preview row can carry (script failures use the script error codes). */
export type RowProblemCode = 'MISSING_USERNAME' | 'MISSING_EMAIL' | 'DUPLICATE_USERNAME' | 'UNKNOWN_ORG' | 'UNKNOWN_ROLE' | ScriptErrorCode;

/** One problem shown on its row. */
export interface RowProblem {
  code: RowProblemCode;
  message: string;
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

/** Counts for the summary line. */
export interface PreviewSummary {
  entries: number;
  users: number;
  active: number;
  inactive: number;
  errors: number;
  /** Total script time on this page, in milliseconds. */
  scriptMs: number;
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
  rows: PreviewRow[];
  summary: PreviewSummary;
  /** Microseconds per entry each script took on this page (null when the script is absent). */
  costs: Record<ScriptName, number | null>;
  /** Attribute names seen in the results (for the mapping pickers and `entry.` completion). */
  attributes: string[];
  logs: ScriptLog[];
  diagnostics: ScriptDiagnostic[];
  /** The username search applied, if any, and the filter actually sent. */
  search: string | null;
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
}

/** Page sizes the preview offers. */
export const PREVIEW_PAGE_SIZES = [10, 25, 50, 100, 200] as const;
