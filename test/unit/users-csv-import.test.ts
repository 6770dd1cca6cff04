/** The users CSV check (issue 14): every problem with its row, column and reason; all or nothing. */
import { describe, expect, it } from 'vitest';
import { LocalUsersService } from '../../src-main/services/local-users-service';
import { checkUsersCsv } from '../../src-main/services/users-csv-import';
import { insertOrganization } from '../../src-main/store/organizations-repo';
import { insertServer } from '../../src-main/store/servers-repo';
import { insertUser } from '../../src-main/store/users-repo';
import type { Store } from '../../src-main/store/db';
import { serverRow } from './server-row';
import { withStore } from './store-fixture';

function seed(store: Store) {
  const guests = insertOrganization(store.db, { name: 'Guests' });
  insertOrganization(store.db, { name: 'Staff' });
  insertUser(store.db, { username: 'taken', orgId: guests.id });
  return guests;
}

describe('checking a users CSV', () => {
  it('names the row (the file line), the column and the reason of every problem', () => {
    withStore((store) => {
      seed(store);
      const text = ['username,org,email,roles', 'ann,Guests,ann@example.org,Desktop User', 'TAKEN,Guests,,', 'ann,Staff,,', ',Nowhere,x@,No Such Role', 'dan,Guests,,"Desktop User; Org Admin"'].join('\n');
      const r = checkUsersCsv(store.db, text);
      expect(r.rows).toBe(5);
      expect(r.users).toEqual([]);
      expect(r.problems).toEqual([
        { row: 3, column: 'username', reason: 'A user named "TAKEN" already exists.' },
        { row: 4, column: 'username', reason: '"ann" is also on row 2 (usernames are compared ignoring case).' },
        { row: 5, column: 'username', reason: 'Enter a username.' },
        { row: 5, column: 'org', reason: 'No organization is named "Nowhere". Create it first (Organizations screen), or fix the name.' },
        { row: 5, column: 'email', reason: '"x@" is not an email address.' },
        { row: 5, column: 'roles', reason: 'No role is named "No Such Role" (separate several roles with ";").' },
      ]);
    });
  });

  it('refuses the header problems before any row: unknown or doubled columns, a password column, a required column missing', () => {
    withStore((store) => {
      seed(store);
      const r = checkUsersCsv(store.db, 'user,password,mail,E-mail,colour\nann,secret,a@b,a@b,red\n');
      expect(r.problems.map((p) => [p.row, p.column, p.reason.split(/[.:]/)[0]])).toEqual([
        [1, 'password', 'Passwords are not imported from files (plain-text passwords in a file leak)'],
        [1, 'E-mail', 'The column "email" appears twice'],
        [1, 'colour', 'Unknown column "colour"'],
        [1, 'org', 'The header row has no "org" column; it is required'],
      ]);
    });
  });

  it('refuses rows for an organization that signs in with LDAP', () => {
    withStore((store) => {
      seed(store);
      const server = insertServer(store.db, serverRow({ name: 'Corp' }));
      insertOrganization(store.db, { name: 'Corp people', authServerId: server.id });
      const r = checkUsersCsv(store.db, 'username,org\nkim,Corp people\n');
      expect(r.problems).toEqual([{ row: 2, column: 'org', reason: expect.stringMatching(/^"Corp people" signs in with LDAP: its users come from the directory/) }]);
    });
  });

  it('adds every user of a clean file in one go, and nobody from a file with one bad row', () => {
    withStore((store) => {
      seed(store);
      const service = new LocalUsersService({ db: store.db });
      const bad = service.importCsv('username,org\nok1,Guests\nok2,Nowhere\n', false);
      expect(bad).toMatchObject({ added: 0, problems: [{ row: 3, column: 'org' }] });
      expect(store.db.prepare(`SELECT COUNT(*) AS n FROM users`).get()).toEqual({ n: 1 });
      expect(service.importCsv('username,org,firstName\nok1,Guests,"Ann ""A"""\nok2,guests,\n', false)).toMatchObject({ added: 2, usernames: ['ok1', 'ok2'], problems: [] });
      expect(store.db.prepare(`SELECT first_name AS f FROM users WHERE username = 'ok1'`).get()).toEqual({ f: 'Ann "A"' });
    });
  });
});
