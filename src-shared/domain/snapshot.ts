/** Directory snapshots: captured search results or imported LDIF files, usable as an entry source. */
import { z } from 'zod';

export type SnapshotOrigin = 'capture' | 'ldif' | 'sample';

export interface SnapshotView {
  id: string;
  name: string;
  origin: SnapshotOrigin;
  serverId: string | null;
  serverName: string | null;
  baseDn: string | null;
  filter: string | null;
  /** 'all': every user attribute; 'used': only those mapped and read by the scripts. */
  attributes: 'all' | 'used';
  fileName: string | null;
  capturedAt: string;
  entries: number;
  /** Servers that use this snapshot as their source. */
  usedBy: string[];
}

/** Where a preview or a simulation reads entries: the live directory, or a snapshot. */
export const EntrySourceRef = z.discriminatedUnion('kind', [z.object({ kind: z.literal('live') }), z.object({ kind: z.literal('snapshot'), snapshotId: z.string().uuid() })]);
export type EntrySourceRef = z.infer<typeof EntrySourceRef>;

export const SnapshotName = z.string().trim().min(1, 'Enter a name').max(200, 'at most 200 characters');

/** An LDIF file the admin chose in main's dialog: the window gets a token for it, never its contents. */
export interface ChosenLdifFile {
  token: string;
  path: string;
  /** Its size in bytes; null for a pipe or a device. */
  size: number | null;
}

/** What a capture or an import reports while it runs. */
export interface SnapshotProgress {
  jobId: string;
  entries: number;
  pages: number;
  expected: number | null;
  /** An LDIF import: bytes read so far, out of the file's size (null for a pipe). */
  bytes?: { read: number; total: number | null };
}

/** How an entry differs between a snapshot and the live directory. */
export type SnapshotDifferenceKind = 'added' | 'removed' | 'changed' | 'renamed';

/** One entry that differs: `renamed` is an entry found again under another DN (renamed or moved). */
export interface SnapshotDifference {
  /** The entry's DN now (for `removed`: in the snapshot). */
  dn: string;
  kind: SnapshotDifferenceKind;
  /** Attributes whose values differ (directory IDs, which identify entries, are not compared). */
  attributes: string[];
  /** For `renamed`: its DN in the snapshot. */
  fromDn?: string;
  /**
   * For `changed` and `renamed`: each changed attribute's values in the snapshot and live, sorted
   * (bounded: see {@link VALUE_CHANGE_LIMITS}; `more` counts the values left out on either side).
   */
  values?: ValueChange[];
}

/** One attribute's values before (in the snapshot) and after (live). */
export interface ValueChange {
  attribute: string;
  before: string[];
  after: string[];
  /** Values left out (beyond the limit) on both sides together. */
  more: number;
}

/** How much of each changed attribute a comparison carries: values per side, characters per value, attributes per entry. */
export const VALUE_CHANGE_LIMITS = { values: 5, chars: 200, attributes: 20 } as const;

/**
 * A snapshot compared with the live directory. Entries are matched by directory ID (entryUUID,
 * objectGUID, nsUniqueId, ipaUniqueID) where both sides have one, else by DN; so an entry renamed
 * or moved since is `renamed`, not removed and added, and a deleted and re-created entry (a new ID
 * under the old DN) is removed and added.
 */
export interface SnapshotComparison {
  added: number;
  removed: number;
  /** Same DN, other attribute values. */
  changed: number;
  /** Found under another DN (their attributes may differ too). */
  renamed: number;
  unchanged: number;
  /** The directory ID attribute entries were matched by (the first one seen), or null: by DN only. */
  matchedBy: string | null;
  /** The first differences (at most 1000). */
  differences: SnapshotDifference[];
}
