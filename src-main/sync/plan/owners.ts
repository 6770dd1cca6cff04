/** Who holds a username: a managed user of this server, or a user of another organization. */
import type { ManagedUsers } from '../../store/managed-users';
import type { Answers } from './answers';
import type { PlanContext } from './types';

/** The user that has username key `k` and their organization's name, if any; `managed` for a user of this server. */
export function usernameOwner(
  k: string,
  users: ManagedUsers,
  byKey: ReadonlyMap<string, number>,
  answers: Answers,
  others: PlanContext['others'],
): { id: string; orgName: string; managed?: boolean } | undefined {
  const m = byKey.get(k);
  if (m === undefined) return others.get(k);
  return { id: users.id[m], orgName: answers.orgName(users.orgId[m]), managed: true };
}
