/**
 * Checking a users CSV before anything is written: a header row naming the columns, then one user
 * per row. Every problem is collected with its row (the line the record starts on), column and
 * reason, so the admin fixes the file once.
 *
 * Rows for an organization that signs in with LDAP are refused: its users come from the directory
 * (its sync, or a registration), which is what their sign-in checks; a local copy made from a file
 * could not sign in, and the sync would not know it. There is no password column on purpose: a file
 * of plain-text passwords is a leak waiting to happen; local passwords are set one by one
 * (ldap-sync users passwd, or the user's page).
 */
import type Database from 'better-sqlite3';
import { CSV_COLUMNS, type CsvColumn, type CsvProblem } from '../../src-shared/domain/local-users';
import { findOrganizationByName } from '../store/organizations-repo';
import { findRoleByName } from '../store/roles-repo';
import { nameKey } from '../store/name-key';
import { findUser, type NewUser } from '../store/users-repo';
import { CsvSyntaxError, readCsv } from './csv-rows';

/** At most this many data rows per file (larger lists: split the file, or let a sync create the users). */
export const MAX_CSV_ROWS = 50_000;

/** A checked file: the users to add (when there are no problems) and every problem. */
export interface CheckedCsv {
  rows: number;
  users: NewUser[];
  problems: CsvProblem[];
}

const COLUMN_KEYS = new Map<string, CsvColumn>(CSV_COLUMNS.map((c) => [c.toLowerCase(), c]));
// Spellings people write in headers: "First name", "first_name", "e-mail"...
const ALIASES: Record<string, CsvColumn> = { firstname: 'firstName', givenname: 'firstName', lastname: 'lastName', surname: 'lastName', sn: 'lastName', mail: 'email', organization: 'org', organisation: 'org', role: 'roles', user: 'username' };
const headerKey = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');

/** Checks the CSV text against the store (organizations, roles, usernames taken). */
export function checkUsersCsv(db: Database.Database, text: string): CheckedCsv {
  let records;
  try {
    records = readCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { rows: 0, users: [], problems: [{ row: err.line, column: null, reason: err.message }] };
    throw err;
  }
  const problems: CsvProblem[] = [];
  if (records.length === 0) return { rows: 0, users: [], problems: [{ row: 1, column: null, reason: 'The file is empty: the first row names the columns (username, org, email, firstName, lastName, roles).' }] };
  const [header, ...data] = records;
  const index = new Map<CsvColumn, number>();
  header.fields.forEach((raw, i) => {
    const k = headerKey(raw);
    const column = COLUMN_KEYS.get(k) ?? ALIASES[k];
    if (k === 'password' || k === 'passwordhash') problems.push({ row: header.line, column: raw, reason: 'Passwords are not imported from files (plain-text passwords in a file leak). Set each local password with: ldap-sync users passwd USERNAME --password-stdin' });
    else if (!column) problems.push({ row: header.line, column: raw, reason: `Unknown column "${raw}". The columns are: ${CSV_COLUMNS.join(', ')}.` });
    else if (index.has(column)) problems.push({ row: header.line, column: raw, reason: `The column "${column}" appears twice.` });
    else index.set(column, i);
  });
  for (const required of ['username', 'org'] as const) {
    if (!index.has(required)) problems.push({ row: header.line, column: required, reason: `The header row has no "${required}" column; it is required.` });
  }
  if (data.length > MAX_CSV_ROWS) problems.push({ row: data[MAX_CSV_ROWS].line, column: null, reason: `At most ${MAX_CSV_ROWS.toLocaleString('en-US')} users per file: split the file.` });
  if (problems.length > 0) return { rows: data.length, users: [], problems };

  const users: NewUser[] = [];
  const seen = new Map<string, number>();
  const orgs = new Map<string, ReturnType<typeof findOrganizationByName>>();
  for (const r of data.slice(0, MAX_CSV_ROWS)) {
    const cell = (c: CsvColumn) => {
      const i = index.get(c);
      return i === undefined ? '' : (r.fields[i] ?? '').trim();
    };
    const problem = (column: CsvColumn | null, reason: string) => problems.push({ row: r.line, column, reason });
    if (r.fields.length > header.fields.length) problem(null, `This row has ${r.fields.length} fields, the header ${header.fields.length}. Quote a value that holds a comma.`);
    const username = cell('username');
    const k = nameKey(username);
    if (username === '') problem('username', 'Enter a username.');
    else if (username.length > 256) problem('username', 'At most 256 characters.');
    else if (seen.has(k)) problem('username', `"${username}" is also on row ${seen.get(k)} (usernames are compared ignoring case).`);
    else if (findUser(db, username)) problem('username', `A user named "${username}" already exists.`);
    if (username !== '') seen.set(k, seen.get(k) ?? r.line);
    const orgName = cell('org');
    let org = orgs.get(nameKey(orgName));
    if (orgName !== '' && !orgs.has(nameKey(orgName))) orgs.set(nameKey(orgName), (org = findOrganizationByName(db, orgName)));
    if (orgName === '') problem('org', 'Enter the organization.');
    else if (!org) problem('org', `No organization is named "${orgName}". Create it first (Organizations screen), or fix the name.`);
    else if (org.authServerId !== null) problem('org', `"${org.name}" signs in with LDAP: its users come from the directory (its sync, or a registration). Add the person to the directory, or choose an organization with local sign-in.`);
    const email = cell('email');
    if (email !== '' && (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 320)) problem('email', `"${email}" is not an email address.`);
    for (const [c, max] of [['firstName', 200], ['lastName', 200]] as const) if (cell(c).length > max) problem(c, `At most ${max} characters.`);
    const roleIds: string[] = [];
    for (const name of cell('roles').split(';').map((n) => n.trim()).filter(Boolean)) {
      const role = findRoleByName(db, name);
      if (role) roleIds.push(role.id);
      else problem('roles', `No role is named "${name}" (separate several roles with ";").`);
    }
    if (org && org.authServerId === null) {
      users.push({ username, orgId: org.id, email: email || null, firstName: cell('firstName') || null, lastName: cell('lastName') || null, roleIds: [...new Set(roleIds)] });
    }
  }
  return { rows: data.length, users: problems.length ? [] : users, problems };
}
