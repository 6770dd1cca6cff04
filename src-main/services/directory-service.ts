// READY: the directory service's API is in place.
import type Database from 'better-sqlite3';
import { BUILT_IN_ROLE_IDS, type OrganizationInput, type OrganizationView, type RoleInput, type RoleView, type UserPage, type UserQuery, type UserView } from '../../src-shared/domain/directory';
import { AppError } from '../../src-shared/errors';
import { deleteOrganization, getOrganization, insertOrganization, updateOrganization } from '../store/organizations-repo';
import { deleteRole, insertRole, renameRole } from '../store/roles-repo';
import { organizationViews, roleViews } from '../store/directory-views';
import { getServer } from '../store/servers-repo';
import { nameKey } from '../store/name-key';
import { readSyncSettings, writeSyncSettings } from '../store/settings-repo';
import { allUsers, findUser, listUsers, setUserActive, setUsersActive } from '../store/users-repo';
import { forgetDirectoryId, releaseUsername } from '../store/identity-repo';

/** Organizations, roles and users of the local store, as the screens and the CLI see them. */
export class DirectoryService {
  constructor(private readonly deps: { db: Database.Database; now?: () => Date }) {}

  private get db(): Database.Database {
    return this.deps.db;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  listOrgs(): OrganizationView[] {
    return organizationViews(this.db);
  }

  private org(id: string): OrganizationView {
    const v = this.listOrgs().find((o) => o.id === id);
    if (!v) throw new AppError('NOT_FOUND', 'This organization no longer exists.');
    return v;
  }

  createOrg(i: OrganizationInput): OrganizationView {
    this.checkServer(i.authServerId);
    return this.org(insertOrganization(this.db, { name: i.name, parentId: i.parentId, authServerId: i.authServerId }, this.now()).id);
  }

  updateOrg(id: string, i: OrganizationInput): OrganizationView {
    this.checkServer(i.authServerId);
    this.db.transaction(() => {
      const before = getOrganization(this.db, id);
      const after = updateOrganization(this.db, id, i, this.now());
      // "Registrants not found" names its organization: a rename carries over to it.
      const settings = readSyncSettings(this.db);
      const r = settings.registrantsNotFound;
      if (before && r.action === 'placeInOrg' && nameKey(r.org) === nameKey(before.name) && before.name !== after.name) {
        writeSyncSettings(this.db, { ...settings, registrantsNotFound: { action: 'placeInOrg', org: after.name } });
      }
    })();
    return this.org(id);
  }

  deleteOrg(id: string): void {
    this.db.transaction(() => deleteOrganization(this.db, id))();
  }

  private checkServer(serverId: string | null): void {
    if (serverId && !getServer(this.db, serverId)) {
      throw new AppError('INVALID_INPUT', 'That LDAP server no longer exists.', [{ path: 'authServerId', message: 'Choose another server' }]);
    }
  }

  listRoles(): RoleView[] {
    return roleViews(this.db).map((r) => ({ ...r, builtIn: BUILT_IN_ROLE_IDS.includes(r.id) }));
  }

  // The app's own roles keep their names: registration and the sample's scripts refer to them by name.
  private refuseBuiltIn(id: string, verb: 'renamed' | 'deleted'): void {
    if (!BUILT_IN_ROLE_IDS.includes(id)) return;
    const name = this.listRoles().find((r) => r.id === id)?.name ?? 'This role';
    throw new AppError('INVALID_INPUT', `${name} is a built-in role and cannot be ${verb}: the app gives it by this name. Add a new role instead.`, [
      { path: 'name', message: `A built-in role cannot be ${verb}` },
    ]);
  }

  private role(id: string): RoleView {
    const v = this.listRoles().find((r) => r.id === id);
    if (!v) throw new AppError('NOT_FOUND', 'This role no longer exists.');
    return v;
  }

  createRole(i: RoleInput): RoleView {
    return this.role(insertRole(this.db, i.name, this.now()).id);
  }

  renameRole(id: string, i: RoleInput): RoleView {
    this.refuseBuiltIn(id, 'renamed');
    return this.role(renameRole(this.db, id, i.name).id);
  }

  deleteRole(id: string): void {
    this.refuseBuiltIn(id, 'deleted');
    deleteRole(this.db, id);
  }

  listUsers(q: UserQuery): UserPage {
    return listUsers(this.db, q);
  }

  allUsers(): IterableIterator<UserView> {
    return allUsers(this.db);
  }

  findUser(username: string): UserView | null {
    return findUser(this.db, username);
  }

  /** An admin deactivates (the sync will not reactivate) or reactivates a user and their devices. */
  setUserActive(id: string, active: boolean): boolean {
    return setUserActive(this.db, id, active, this.now());
  }

  /** The same for several users at once, in one transaction: all or nothing (an unknown id changes none). */
  setUsersActive(ids: readonly string[], active: boolean): { changed: number; unchanged: number } {
    return setUsersActive(this.db, ids, active, this.now());
  }

  /**
   * Relinks a user to whichever entry has their username at the next sync (a reused username the
   * admin confirmed is the same person): forgets their directory ID. False when they had none.
   */
  relinkUser(id: string): boolean {
    return forgetDirectoryId(this.db, id, this.now());
  }

  /**
   * Frees the username of a deactivated user (a reused username whose new entry is someone else):
   * the account is renamed `NAME~released-DATE`, so the next sync creates a user for the new entry.
   */
  releaseUsername(id: string): string {
    return releaseUsername(this.db, id, this.now());
  }
}
