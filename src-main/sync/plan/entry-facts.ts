/** One entry's facts as the deciding rules read them (read once per entry, for all its usernames). */
import type { ScriptErrorInfo } from '../../../src-shared/domain/scripts';
import type { ManagedUsers } from '../../store/managed-users';
import type { Answers } from './answers';
import type { CollectedEntries } from './collected-entries';
import type { PlanOutput } from './plan-output';
import type { PlanContext } from './types';

/** An entry's values and script answers. */
export interface EntryFacts {
  dn: string;
  directoryId: string | null;
  /** The entry's other directory IDs a managed user may be known by (usually none). */
  otherDirectoryIds: readonly string[];
  /** The Active script's answer (null: none). */
  active: boolean | null;
  /** The Org name answer, trimmed (null: none). */
  orgAnswer: string | null;
  /** The Role name answer, as an index for Answers.rolesOf. */
  roleAnswer: number;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  errors: readonly ScriptErrorInfo[];
}

/** An empty record to fill with readFacts (one per plan, refilled per entry: no object per entry). */
export function newFacts(): EntryFacts {
  return { dn: '', directoryId: null, otherDirectoryIds: [], active: null, orgAnswer: null, roleAnswer: 0, email: null, firstName: null, lastName: null, errors: [] };
}

/** Fills `f` with entry i's facts. */
export function readFacts(entries: CollectedEntries, i: number, f: EntryFacts): EntryFacts {
  f.dn = entries.dn(i);
  f.directoryId = entries.directoryId(i);
  f.otherDirectoryIds = entries.otherDirectoryIds(i);
  f.active = entries.active(i);
  f.orgAnswer = entries.orgAnswer(i);
  f.roleAnswer = entries.roleAnswerOf(i);
  f.email = entries.email(i);
  f.firstName = entries.firstName(i);
  f.lastName = entries.lastName(i);
  f.errors = entries.errors(i);
  return f;
}

/** The entry's failure of one script, if any. */
export function scriptError(errors: readonly ScriptErrorInfo[], script: 'active' | 'orgName' | 'roleName'): ScriptErrorInfo | undefined {
  for (const e of errors) if (e.script === script) return e;
  return undefined;
}

/** What the deciding rules share for one plan. */
export interface Deciding {
  ctx: PlanContext;
  users: ManagedUsers;
  answers: Answers;
  out: PlanOutput;
  /** Username keys of managed users this plan renames: free for a new user of the same plan (absent: none). */
  freed?: Set<string>;
  /** The user holding username key `k` (this server's or another organization's), if any. */
  ownerOf(k: string): { id: string; orgName: string; managed?: boolean } | undefined;
}
