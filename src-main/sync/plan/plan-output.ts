/** The plan being built: changes in order (each with its seq), counts, users seen. */
import { emptyCounts, type SyncCounts } from '../../../src-shared/domain/sync';
import type { StoredChange } from '../../store/plan-rows-repo';
import type { SeenUser } from './types';

/** Where the rules put what they decide. */
export class PlanOutput {
  readonly changes: StoredChange[] = [];
  readonly counts: SyncCounts = emptyCounts();
  readonly seen: SeenUser[] = [];
  /** Users created active, reactivated, deactivated: for the active count after the plan. */
  createdActive = 0;
  reactivated = 0;
  deactivated = 0;
  /** Of those deactivated: users whose username a different entry now has. */
  reusedDeactivated = 0;

  /** Adds an error row (nothing is changed for that user). */
  error(username: string | null, dn: string | null, userId: string | null, reason: string): void {
    this.counts.errors++;
    // Each change is one object literal of a fixed shape per action (seq last); a copy per change
    // (`{ ...c, seq }`) gave every change of a first sync a hidden class of its own.
    this.changes.push({ username, dn, userId, action: 'error', reason, data: null, seq: this.changes.length });
  }

  /** Adds a deactivation. */
  deactivate(username: string, dn: string | null, userId: string, reason: string): void {
    this.counts.deactivated++;
    this.deactivated++;
    this.changes.push({ username, dn, userId, action: 'deactivate', reason, data: { kind: 'deactivate', reason }, seq: this.changes.length });
  }
}
