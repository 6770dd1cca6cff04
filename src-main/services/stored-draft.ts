import type Database from 'better-sqlite3';
import { draftOfView, type ServerDraft, type TrustedCertificate } from '../../src-shared/domain/server';
import { toServerView } from '../store/server-view';
import type { ServerRow } from '../store/servers-repo';
import { listTrusted } from '../store/trusted-certificates-repo';

/** The editable fields of a stored server, with its trusted certificates (in the order they were added). */
export function draftOfStored(db: Database.Database, row: ServerRow): ServerDraft {
  // In the order they were first trusted (ISO times sort as text; the sort is stable).
  const trusted: TrustedCertificate[] = listTrusted(db, row.id)
    .sort((a, b) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : 0))
    .map(({ addedAt: _, ...c }) => c);
  return draftOfView(toServerView(row, trusted));
}
