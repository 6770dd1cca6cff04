/** The organizations and roles as the Directory screens and the CLI list them, with their user counts. */
import type Database from 'better-sqlite3';
import type { OrganizationView, RoleView } from '../../src-shared/domain/directory';
import { prepared } from './statement-cache';

/** Every organization with its parent's and sign-in server's names and its user counts, by name. */
export function organizationViews(db: Database.Database): OrganizationView[] {
  const rows = prepared(
    db,
    `SELECT o.id, o.name, o.parent_id AS parentId, p.name AS parentName, o.auth_server_id AS authServerId, s.name AS serverName,
      o.registration_key AS registrationKey, o.created_at AS createdAt, o.updated_at AS updatedAt,
      (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id) AS users,
      (SELECT COUNT(*) FROM users u WHERE u.org_id = o.id AND u.active = 1) AS activeUsers
    FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id LEFT JOIN servers s ON s.id = o.auth_server_id
    ORDER BY o.name_key`,
  ).all() as (Omit<OrganizationView, 'auth'> & { authServerId: string | null; serverName: string | null })[];
  return rows.map(({ authServerId, serverName, ...r }) => ({
    ...r,
    auth: authServerId ? { kind: 'ldap' as const, serverId: authServerId, serverName: serverName ?? '' } : { kind: 'local' as const },
  }));
}

/** Every role with its number of users, by name. */
export function roleViews(db: Database.Database): RoleView[] {
  return prepared(
    db,
    `SELECT r.id, r.name, r.created_at AS createdAt, (SELECT COUNT(*) FROM user_roles ur WHERE ur.role_id = r.id) AS users FROM roles r ORDER BY r.name_key`,
  ).all() as RoleView[];
}
