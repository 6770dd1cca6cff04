/**
 * A run's planner over the server's managed users and the store's other users, loaded in turns
 * (the window, cancel and progress keep going). A function of its own so that nothing in the run's
 * orchestration holds the managed users (~33 MB at 100k): the planner lets them go once it has planned.
 */
import type Database from 'better-sqlite3';
import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import { listOrganizations } from '../store/organizations-repo';
import { listRoles } from '../store/roles-repo';
import { loadManagedUsersInTurns, otherUsersInTurns } from '../store/users-repo';
import { Planner, type Pacer } from '../sync/planner';

/** Who and what a run plans for. */
export interface RunPlannerInput {
  /** The saved server (null: a draft of an unsaved server, which sees every user as another's). */
  serverId: string | null;
  serverName: string;
  usernameAttribute: string;
  mapping: AttributeMapping;
  scripts: ServerScripts;
  createUsers: boolean;
  defaultOrgId: string | null;
  /** A simulation's plan is never applied: no apply data for new users (PlanContext.applyData). */
  simulation: boolean;
}

/** The planner, once the users are loaded, and how many users the server managed before the run. */
export async function runPlanner(db: Database.Database, r: RunPlannerInput, pacer: Pacer): Promise<{ planner: Planner; managedBefore: number }> {
  const breathe = () => pacer.breathe();
  // Not in the run's first turn (which opens the source and starts the workers): the event loop turns first.
  await new Promise((resolve) => setImmediate(resolve));
  const managed = r.serverId ? await loadManagedUsersInTurns(db, r.serverId, breathe) : [];
  const others = await otherUsersInTurns(db, r.serverId, breathe);
  const planner = await Planner.inTurns({
    serverId: r.serverId ?? '',
    serverName: r.serverName,
    usernameAttribute: r.usernameAttribute,
    mapping: r.mapping,
    hasOrgScript: r.scripts.orgName !== null,
    hasRoleScript: r.scripts.roleName !== null,
    createUsers: r.createUsers,
    defaultOrgId: r.defaultOrgId,
    applyData: !r.simulation,
    orgs: listOrganizations(db),
    roles: listRoles(db),
    managed,
    others,
  }, pacer);
  return { planner, managedBefore: managed.length };
}
