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

/** What a capture or an import reports while it runs. */
export interface SnapshotProgress {
  jobId: string;
  entries: number;
  pages: number;
  expected: number | null;
}

/** A snapshot compared with the live directory. */
export interface SnapshotComparison {
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** The first differences (at most 1000), by DN. */
  differences: { dn: string; kind: 'added' | 'removed' | 'changed'; attributes: string[] }[];
}
