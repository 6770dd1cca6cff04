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
  /** A role the app ships with (Desktop User, Org Admin): it cannot be renamed or deleted. */
  builtIn?: boolean;
}

/** The ids of the roles every store is created with (migration 0002): protected from rename and delete. */
export const BUILT_IN_ROLE_IDS: readonly string[] = ['5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a01', '5d0f6a8e-3c1b-4e1f-9a57-2f4f3b8c1a02'];

/** The most users one bulk deactivate / reactivate changes (a page of the users list is at most 500). */
export const BULK_USERS_MAX = 500;

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

/** Which users a list shows by status (default all). */
export const USER_STATUSES = ['all', 'active', 'deactivated'] as const;
export type UserStatusFilter = (typeof USER_STATUSES)[number];
/** The columns the users list sorts by (default username). */
export const USER_SORTS = ['username', 'name', 'email', 'org', 'status', 'source'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export const UserQuery = z.object({
  search: z.string().max(200).nullable(),
  orgId: Id.nullable(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(1).max(500),
  /** Active or deactivated users only (default all). */
  status: z.enum(USER_STATUSES).optional(),
  /** Sort column (default username) and direction (default ascending); ties go by username. */
  sort: z.enum(USER_SORTS).optional(),
  descending: z.boolean().optional(),
});
export type UserQuery = z.infer<typeof UserQuery>;
