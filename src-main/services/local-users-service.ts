import type Database from 'better-sqlite3';
import type { OrganizationView, UserView } from '../../src-shared/domain/directory';
import type { CsvImportReport, LocalUserInput, OrgAuthImpact, UserDetail } from '../../src-shared/domain/local-users';
import { AppError } from '../../src-shared/errors';
import { checkLocalPassword, hashPassword } from '../auth/password-hash';
import { organizationViews } from '../store/directory-views';
import { listDevices } from '../store/devices-repo';
import { localPasswordCount, localPasswordHash, setLocalPasswordHash } from '../store/local-passwords-repo';
import { findOrganizationByName, getOrganization } from '../store/organizations-repo';
import { rotateRegistrationKey } from '../store/registration-keys-repo';
import { getServer } from '../store/servers-repo';
import { allUsers, findUser, getUserView, insertUser } from '../store/users-repo';
import { csvField } from '../sync/export';
import { checkUsersCsv } from './users-csv-import';

/** The columns of a users export; the first six are the columns `users import` reads. */
const EXPORT_COLUMNS = ['username', 'org', 'email', 'firstName', 'lastName', 'roles', 'active', 'deactivatedBy', 'deactivatedReason', 'source', 'dn', 'directoryId', 'devices', 'lastSeenAt'] as const;

/**
 * Users added by hand or from a CSV file, local passwords, user details with devices,
 * registration keys, and what changing an organization's sign-in means for its users.
 */
export class LocalUsersService {
  constructor(private readonly deps: { db: Database.Database; now?: () => Date }) {}

  private get db(): Database.Database {
    return this.deps.db;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Adds a user to an organization with local sign-in (an LDAP organization's users come from its directory). */
  async add(input: LocalUserInput): Promise<UserView> {
    const org = findOrganizationByName(this.db, input.org);
    if (!org) throw new AppError('INVALID_INPUT', `No organization is named "${input.org}".`, [{ path: 'org', message: `No organization is named "${input.org}"` }]);
    if (org.authServerId !== null) {
      const server = getServer(this.db, org.authServerId)?.name ?? 'an LDAP server';
      const text = `"${org.name}" signs in with "${server}": its users come from the directory (its sync, or a registration with the organization's key). Add the person to the directory, or choose an organization with local sign-in.`;
      throw new AppError('INVALID_INPUT', text, [{ path: 'org', message: text }]);
    }
    if (input.email && !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw new AppError('INVALID_INPUT', `"${input.email}" is not an email address.`, [{ path: 'email', message: 'Not an email address' }]);
    if (input.password !== null) checkLocalPassword(input.password);
    const hash = input.password !== null ? await hashPassword(input.password) : null;
    const now = this.now();
    this.db.transaction(() => {
      const id = insertUser(this.db, { username: input.username, orgId: org.id, email: input.email || null, firstName: input.firstName || null, lastName: input.lastName || null }, now);
      if (hash !== null) setLocalPasswordHash(this.db, id, hash, now);
    })();
    return this.mustFind(input.username);
  }

  /**
   * Sets a user's local password. Refused with LDAP_MANAGED for a user whose organization signs in
   * with LDAP: their password lives in the directory.
   */
  async setPassword(userId: string, password: string): Promise<void> {
    const user = this.checkPasswordSettable(userId);
    checkLocalPassword(password);
    const hash = await hashPassword(password);
    setLocalPasswordHash(this.db, user.id, hash, this.now());
  }

  /** The user, when their password can be set here; LDAP_MANAGED when their organization signs in with LDAP. */
  checkPasswordSettable(userId: string): UserView {
    const user = this.byId(userId);
    const org = getOrganization(this.db, user.orgId);
    if (org?.authServerId) {
      const server = getServer(this.db, org.authServerId)?.name ?? 'an LDAP server';
      throw new AppError('LDAP_MANAGED', `${user.username} signs in with "${server}" (organization ${org.name}): change the password in the directory. Local passwords are only for organizations with local sign-in.`);
    }
    return user;
  }

  /** Checks a users CSV and, unless `dryRun` or anything is wrong, adds every user in one transaction (all or nothing). */
  importCsv(text: string, dryRun: boolean): CsvImportReport {
    const checked = checkUsersCsv(this.db, text);
    const usernames = checked.users.map((u) => u.username);
    if (dryRun || checked.problems.length > 0) return { dryRun, rows: checked.rows, added: 0, usernames, problems: checked.problems };
    const now = this.now();
    this.db.transaction(() => {
      for (const u of checked.users) insertUser(this.db, u, now);
    })();
    return { dryRun, rows: checked.rows, added: checked.users.length, usernames, problems: [] };
  }

  /** Every user as CSV (header row, CRLF), cells neutralised against spreadsheet formulas. */
  exportCsv(): { filename: string; text: string; users: number } {
    const lines = [EXPORT_COLUMNS.join(',')];
    for (const u of allUsers(this.db)) {
      const row: Record<(typeof EXPORT_COLUMNS)[number], string | number | null> = {
        username: u.username,
        org: u.orgName,
        email: u.email,
        firstName: u.firstName,
        lastName: u.lastName,
        roles: u.roles.join('; '),
        active: u.active ? 'yes' : 'no',
        deactivatedBy: u.deactivatedBy,
        deactivatedReason: u.deactivatedReason,
        source: u.sourceServerName ?? 'local',
        dn: u.sourceDn,
        directoryId: u.directoryId,
        devices: u.devices,
        lastSeenAt: u.lastSeenAt,
      };
      lines.push(EXPORT_COLUMNS.map((c) => csvField(row[c])).join(','));
    }
    return { filename: `users-${this.now().toISOString().slice(0, 10)}.csv`, text: `${lines.join('\r\n')}\r\n`, users: lines.length - 1 };
  }

  /** A user's detail: the user, their devices, how they sign in and whether a local password is set. */
  detail(userId: string): UserDetail {
    const user = this.byId(userId);
    const org = getOrganization(this.db, user.orgId);
    return { user, devices: listDevices(this.db, user.id), signIn: org?.authServerId ? 'ldap' : 'local', hasLocalPassword: localPasswordHash(this.db, user.id) !== null };
  }

  /** The user named `username` (ignoring case); NOT_FOUND names the command that lists them. */
  mustFind(username: string): UserView {
    const user = findUser(this.db, username);
    if (!user) throw new AppError('NOT_FOUND', `No user is named "${username}" (usernames are compared ignoring case). List them with: ldap-sync users`);
    return user;
  }

  private byId(id: string): UserView {
    const user = getUserView(this.db, id);
    if (user) return user;
    throw new AppError('NOT_FOUND', 'This user no longer exists.');
  }

  /** Gives an organization a new registration key: the old one stops working at once. */
  rotateKey(orgId: string): OrganizationView {
    rotateRegistrationKey(this.db, orgId, this.now());
    return organizationViews(this.db).find((o) => o.id === orgId)!;
  }

  /** What setting organization `orgId`'s sign-in to `authServerId` (null: local) means for its users. */
  authImpact(orgId: string, authServerId: string | null): OrgAuthImpact {
    const org = getOrganization(this.db, orgId);
    if (!org) throw new AppError('NOT_FOUND', 'This organization no longer exists.');
    const view = organizationViews(this.db).find((o) => o.id === orgId)!;
    const users = view.users;
    const withPassword = localPasswordCount(this.db, orgId);
    const from = org.authServerId ? `"${getServer(this.db, org.authServerId)?.name ?? 'its LDAP server'}"` : 'local passwords';
    const some = (n: number) => `${n.toLocaleString('en-US')} user${n === 1 ? '' : 's'}`;
    if (org.authServerId === authServerId) return { org: org.name, users, withoutLocalPassword: authServerId ? 0 : users - withPassword, message: `${org.name} keeps signing in with ${from}: nothing changes for its users.` };
    if (authServerId === null) {
      const without = users - withPassword;
      const message =
        users === 0
          ? `${org.name} will sign in with local passwords. It has no users yet.`
          : `${org.name}'s ${some(users)} will sign in with a local password instead of ${from}. ${without === 0 ? 'Each of them has one.' : `${some(without)} ha${without === 1 ? 's' : 've'} none and cannot sign in until one is set (ldap-sync users passwd USERNAME --password-stdin). Syncs of ${from} no longer manage them.`}`;
      return { org: org.name, users, withoutLocalPassword: without, message };
    }
    const server = getServer(this.db, authServerId);
    if (!server) throw new AppError('INVALID_INPUT', 'That LDAP server no longer exists.', [{ path: 'authServerId', message: 'Choose another server' }]);
    const message =
      users === 0
        ? `${org.name} will sign in with "${server.name}". It has no users yet: they come from its sync or register with the organization's key.`
        : `${org.name}'s ${some(users)} will sign in with their password in "${server.name}": each must have an entry its search finds, or they cannot sign in; their local passwords are kept but no longer checked. The next sync of "${server.name}" manages them (those it does not return are deactivated).`;
    return { org: org.name, users, withoutLocalPassword: 0, message };
  }
}
