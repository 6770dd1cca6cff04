/**
 * The local directory of accounts: organizations, roles, users and their devices, as the renderer
 * and the CLI see them, and the inputs that change them.
 */
import { z } from 'zod';

const Name = z.string().trim().min(1, 'Enter a name').max(200, 'at most 200 characters');
const Id = z.string().uuid();

/** How an organization's users sign in: a local password, or one LDAP server. */
export type OrgAuth = { kind: 'local' } | { kind: 'ldap'; serverId: string; serverName: string };

export interface OrganizationView {
  id: string;
  name: string;
  parentId: string | null;
  parentName: string | null;
  auth: OrgAuth;
  registrationKey: string;
  users: number;
  activeUsers: number;
  createdAt: string;
  updatedAt: string;
}

/** Create or edit an organization. `authServerId` null means local authentication. */
export const OrganizationInput = z.object({
  name: Name,
  parentId: Id.nullable(),
  authServerId: Id.nullable(),
});
export type OrganizationInput = z.infer<typeof OrganizationInput>;

export interface RoleView {
  id: string;
  name: string;
  users: number;
  createdAt: string;
}

export const RoleInput = z.object({ name: Name });
export type RoleInput = z.infer<typeof RoleInput>;

/** Who deactivated a user: the sync (it may reactivate them) or an admin (only an admin does). */
export type DeactivatedBy = 'sync' | 'admin';

export interface UserView {
  id: string;
  username: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  orgId: string;
  orgName: string;
  roles: string[];
  active: boolean;
  deactivatedAt: string | null;
  deactivatedBy: DeactivatedBy | null;
  deactivatedReason: string | null;
  /** The server whose sync manages or created the user (null for local users). */
  sourceServerId: string | null;
  sourceServerName: string | null;
  sourceDn: string | null;
  /** entryUUID / objectGUID / nsUniqueId / ipaUniqueID of the entry, when the directory has one. */
  directoryId: string | null;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  devices: number;
  activeDevices: number;
}

/** A page of the users table. */
export interface UserPage {
  total: number;
  offset: number;
  rows: UserView[];
}

export const UserQuery = z.object({
  search: z.string().max(200).nullable(),
  orgId: Id.nullable(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(500),
});
export type UserQuery = z.infer<typeof UserQuery>;
