/**
 * The sync planner: turns the entries a server's search returned (with their script outcomes) and
 * the users of the organizations that server authenticates into a per-user plan. Pure: reads
 * nothing and writes nothing; the same plan serves Simulate, Synchronize and approval.
 *
 * The plan is a sequence of named rules, each in its own file under ./plan/:
 *   1. duplicates             a username returned by several entries is an error; its user is left as is
 *   2. match-by-directory-id  same directory ID: the same user (same username, or a one-to-one rename)
 *   3. match-by-username      the rest by username (the stored directory ID is then updated), unless
 *                             both IDs are known and differ: a reused username (reused-username.ts)
 *   4. decide-matched         per matched user: a new DN (dn-change.ts), Active, Org name, Role name,
 *                             renamed username, fields
 *   5. decide-reused          per reused username: a change naming both IDs; the old account is
 *                             deactivated, never given to the new entry
 *   6. decide-new             per unmatched username, after every matched one (so a name a rename of
 *                             this plan frees can be taken): a new user (it needs an email), or why there is none
 *   7. deactivate-unreturned  managed users no entry returned
 * Directory-ID matching runs for all entries before any username matching, so a re-used username
 * never takes over a renamed user's account. The texts admins read are all in plan/messages.ts.
 */
import type { EntryInput, ScriptOutcome } from '../scripts/engine';
import type { ColumnPage } from '../directory/column-page';
import { ManagedUsers } from '../store/managed-users';
import { Answers } from './plan/answers';
import { CollectedEntries } from './plan/collected-entries';
import { decideMatched } from './plan/decide-matched';
import { decideNew } from './plan/decide-new';
import { deactivateUnreturnedInSlices } from './plan/deactivate-unreturned';
import { claimDuplicateOwners, findDuplicatesInSlices } from './plan/duplicates';
import { newFacts, readFacts, type Deciding } from './plan/entry-facts';
import { matchByDirectoryIdInSlices } from './plan/match-by-directory-id';
import { matchByUsernameInSlices } from './plan/match-by-username';
import { Matches, reusedUser } from './plan/matches';
import { hasControlCharacters } from '../../src-shared/text/visible-controls';
import { controlCharactersInUsername, duplicateUsername, noUsername } from './plan/messages';
import { usernameOwner } from './plan/owners';
import { PlanOutput } from './plan/plan-output';
import { decideReused } from './plan/reused-username';
import { Pacer, runAll, SLICE_MASK, type Steps } from './plan/slices';
import type { Plan, PlanContext } from './plan/types';
import type { StoredChange } from '../store/plan-rows-repo';

export type { ChangeData, OrgRef, Plan, PlanContext, RoleRef, SeenUser } from './plan/types';
export { Pacer } from './plan/slices';

/**
 * Sees a plan's changes while it is made (a sync's apply then starts before the plan is done, see
 * ApplyStream in sync/apply-in-worker.ts): called with the changes so far (changes are only appended, never altered)
 * at each stop of the planner, and with `done` once they are all there.
 */
export type PlanWatch = (changes: readonly StoredChange[], done: boolean) => void | Promise<void>;

/**
 * Collects entries as pages arrive (compactly: see plan/collected-entries.ts), then plans once.
 * The entries and the managed users are let go after plan(), before the plan is applied.
 */
export class Planner {
  private readonly ctx: PlanContext;
  private users: ManagedUsers;
  /** Managed user index by username key (the last one wins, as a Map built in order). */
  private byKey: Map<string, number>;
  private entries: CollectedEntries;
  private planned = false;
  /** The changes planned so far, while {@link steps} runs (they are only ever appended to). */
  private output: PlanOutput | null = null;

  /** A planner over `ctx.managed`; `byKey` is for {@link Planner.inTurns} (built here when absent). */
  constructor(ctx: PlanContext, byKey?: Map<string, number>) {
    // Without the managed users: the planner lets them go after plan(), which it could not while
    // holding the caller's context.
    this.ctx = { ...ctx, managed: [] };
    this.users = ctx.managed instanceof ManagedUsers ? ctx.managed : ManagedUsers.from(ctx.managed);
    this.byKey = byKey ?? runAll(indexByKey(this.users));
    this.entries = new CollectedEntries(this.users, this.byKey, ctx);
  }

  /** The same planner, its username index (~20-40 ms at 100k users) built with turns given to the event loop. */
  static async inTurns(ctx: PlanContext, pacer: Pacer): Promise<Planner> {
    const users = ctx.managed instanceof ManagedUsers ? ctx.managed : ManagedUsers.from(ctx.managed);
    return new Planner({ ...ctx, managed: users }, await pacer.run(indexByKey(users)));
  }

  /** Adds a page of entries with their script outcomes (same order). */
  addPage(entries: readonly EntryInput[], outcomes: readonly ScriptOutcome[]): void {
    if (this.planned) throw new Error('Planner: plan() has run; make a new planner');
    this.entries.addPage(entries, outcomes);
  }

  /** Adds a page of entries as columns (src-main/directory/column-page.ts) with their script outcomes (same order). */
  addColumns(page: ColumnPage, outcomes: readonly ScriptOutcome[]): void {
    if (this.planned) throw new Error('Planner: plan() has run; make a new planner');
    this.entries.addColumns(page, outcomes);
  }

  /** The plan for everything added, at once (once: the entries and the managed users are released afterwards). */
  plan(): Plan {
    return runAll(this.steps());
  }

  /**
   * The same plan as {@link plan}, giving the event loop a turn between slices of work (see
   * plan/slices.ts): what a run in the app or the CLI uses, so the window, cancel and progress are
   * never held for the length of a plan.
   */
  planInTurns(pacer: Pacer = new Pacer(), watch?: PlanWatch): Promise<Plan> {
    return watch ? this.watched(pacer, watch) : pacer.run(this.steps());
  }

  /** {@link planInTurns} with `watch` called with the changes so far at every stop and once at the end. */
  private async watched(pacer: Pacer, watch: PlanWatch): Promise<Plan> {
    const steps = this.steps();
    for (;;) {
      const r = steps.next();
      if (r.done) {
        await watch(r.value.changes, true);
        return r.value;
      }
      if (this.output) await watch(this.output.changes, false);
      await pacer.breathe();
    }
  }

  /** The rules, one after the other, each stopping every SLICE (1024) entries or users. */
  private *steps(): Steps<Plan> {
    if (this.planned) throw new Error('Planner: plan() runs once; make a new planner');
    this.planned = true;
    const { ctx, users, byKey, entries } = this;
    const n = entries.length;

    const duplicates = yield* findDuplicatesInSlices(entries, users, byKey);
    const matches = new Matches(entries, users.length);
    yield;
    yield* matchByDirectoryIdInSlices(entries, users, duplicates, matches);
    yield* matchByUsernameInSlices(entries, users, byKey, duplicates, matches);
    claimDuplicateOwners(duplicates, byKey, matches);

    const out = new PlanOutput();
    this.output = out;
    const answers = new Answers(ctx, entries);
    const d: Deciding = { ctx, users, answers, out, freed: new Set(), ownerOf: (k) => usernameOwner(k, users, byKey, answers, ctx.others) };
    const facts = newFacts();
    const { first, user } = matches;
    // New usernames are decided after every matched one, so a name a rename frees in this plan can be
    // taken by a new user of the same plan (issue 15); applying in order renames before it creates.
    const newEntry: number[] = [];
    const newSlot: number[] = [];
    for (let i = 0; i < n; i++) {
      if ((i & SLICE_MASK) === SLICE_MASK) yield;
      const count = first[i + 1] - first[i];
      if (count === 0) {
        out.error(null, entries.dn(i), null, noUsername(ctx.usernameAttribute));
        continue;
      }
      const f = readFacts(entries, i, facts);
      for (let j = 0; j < count; j++) {
        const username = entries.nameAt(i, j);
        const k = entries.keyAt(i, j);
        if (duplicates.has(k)) {
          const owner = byKey.get(k);
          out.error(username, f.dn, owner === undefined ? null : users.id[owner], duplicateUsername(username, duplicates.entriesOf(k)));
          continue;
        }
        const u = user[first[i] + j];
        // A name with control characters is never a username (a matched user is kept as it is).
        if (hasControlCharacters(username)) {
          out.error(username, f.dn, u >= 0 ? users.id[u] : null, controlCharactersInUsername(username, ctx.usernameAttribute));
          continue;
        }
        if (u >= 0) decideMatched(d, f, username, k, u);
        else if (u <= -2) decideReused(d, f, username, reusedUser(u));
        else {
          newEntry.push(i);
          newSlot.push(j);
        }
      }
    }
    for (let s = 0; s < newEntry.length; s++) {
      if ((s & SLICE_MASK) === SLICE_MASK) yield;
      const i = newEntry[s];
      const f = readFacts(entries, i, facts);
      decideNew(d, f, entries.nameAt(i, newSlot[s]), entries.keyAt(i, newSlot[s]));
    }
    const { gone, activeBefore } = yield* deactivateUnreturnedInSlices(users, matches, out);

    const managedBefore = users.length;
    // Planned: let the entries and the managed users go before the plan is applied.
    this.users = new ManagedUsers(0);
    this.byKey = new Map();
    this.entries = new CollectedEntries(this.users, this.byKey, ctx);
    this.output = null;
    return {
      changes: out.changes,
      counts: out.counts,
      seen: out.seen,
      gone,
      reusedDeactivated: out.reusedDeactivated,
      entries: n,
      managedBefore,
      activeBefore,
      managedAfter: managedBefore + out.createdActive,
      activeAfter: activeBefore - out.deactivated + out.reactivated + out.createdActive,
    };
  }
}

/** Managed user index by username key, built in user order (the last one wins). */
function* indexByKey(users: ManagedUsers): Steps<Map<string, number>> {
  const byKey = new Map<string, number>();
  const keys = users.usernameKey;
  for (let i = 0; i < users.length; i++) {
    if ((i & SLICE_MASK) === SLICE_MASK) yield;
    byKey.set(keys[i], i);
  }
  return byKey;
}
