/**
 * Users added by hand or from a CSV file, local passwords, devices, and what changing an
 * organization's authentication does to its users' sign-in: the inputs and views the app and the
 * CLI share.
 */
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from './sign-in';
import type { UserView } from './directory';

const Optional = (max: number) => z.string().trim().max(max, `at most ${max} characters`).nullable();

/** A user added by hand to an organization with local authentication; `password` optional (set later). */
export const LocalUserInput = z.object({
  username: z.string().trim().min(1, 'Enter a username').max(256, 'at most 256 characters'),
  org: z.string().trim().min(1, 'Choose an organization').max(200),
  email: Optional(320),
  firstName: Optional(200),
  lastName: Optional(200),
  password: z.string().max(MAX_PASSWORD_LENGTH).nullable(),
});
export type LocalUserInput = z.infer<typeof LocalUserInput>;

/** One device of a user (registered with a sign-in), deactivated and reactivated with them. */
export interface DeviceView {
  id: string;
  name: string;
  active: boolean;
  deactivatedAt: string | null;
  /** 'user': deactivated with its user; 'admin': on its own. */
  deactivatedBy: 'user' | 'admin' | null;
  createdAt: string;
}

/** A user's detail page: the user, their devices, and whether a local password is set. */
export interface UserDetail {
  user: UserView;
  devices: DeviceView[];
  /** 'local' organizations check this password; LDAP organizations check the directory. */
  signIn: 'local' | 'ldap';
  hasLocalPassword: boolean;
}

/** The columns a users CSV may have (a header row names them, in any order; `username` and `org` are required). */
export const CSV_COLUMNS = ['username', 'org', 'email', 'firstName', 'lastName', 'roles'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** One problem of a users CSV: 1-based row (the header is row 1), the column, and the reason. */
export interface CsvProblem {
  row: number;
  column: string | null;
  reason: string;
}

/** The report of a users CSV: every problem, and what was (or, in a dry run, would be) added. */
export interface CsvImportReport {
  dryRun: boolean;
  /** Data rows read (without the header and blank lines). */
  rows: number;
  /** Users added (0 when there are problems: all or nothing, and in a dry run). */
  added: number;
  /** The usernames that are (or would be) added, in file order. */
  usernames: string[];
  problems: CsvProblem[];
}

/** What changing an organization's authentication does to its users' sign-in. */
export interface OrgAuthImpact {
  org: string;
  users: number;
  /** Users who would have no way to sign in until a local password is set. */
  withoutLocalPassword: number;
  message: string;
}
