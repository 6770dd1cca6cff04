import type Database from 'better-sqlite3';
import type { SignInInput, SignInResult } from '../../src-shared/domain/sign-in';
import { AppError } from '../../src-shared/errors';
import type { AuthServer } from '../auth/auth-server';
import { signIn } from '../auth/sign-in';
import { targetFromDraft } from '../ldap/target';
import type { ScriptRunner } from '../scripts/script-runner';
import { getServer } from '../store/servers-repo';
import { readSyncSettings } from '../store/settings-repo';
import { usesGroups } from '../scripts/used-attributes';
import { openGroups } from './open-source';
import { normalizeScripts } from './script-checks';
import type { ServerService } from './servers-service';
import { draftOfStored } from './stored-draft';

/** What the auth service needs. */
export interface AuthServiceDeps {
  db: Database.Database;
  servers: ServerService;
  scriptEngine: () => Promise<ScriptRunner>;
  now?: () => Date;
}

/**
 * Sign-in and registration for the Test sign-in panel and `ldap-sync auth` (see src-main/auth/).
 * The password goes into one bind (or one scrypt comparison) and is never stored, logged or returned.
 */
export class AuthService {
  constructor(private readonly deps: AuthServiceDeps) {}

  /** One sign-in attempt; with `register`, an allowed new user (or device) is recorded. */
  signIn(input: SignInInput): Promise<SignInResult> {
    const { db } = this.deps;
    return signIn(
      {
        db,
        now: this.deps.now ?? (() => new Date()),
        server: (id) => this.server(id),
        scripts: this.deps.scriptEngine,
        registrantsNotFound: () => readSyncSettings(db).registrantsNotFound,
      },
      input,
    );
  }

  /** A saved server as a sign-in uses it; INVALID_INPUT for an offline server or an unfinished form. */
  private async server(id: string): Promise<AuthServer> {
    const row = getServer(this.deps.db, id);
    if (!row) throw new AppError('NOT_FOUND', 'The LDAP server no longer exists.');
    if (row.offline) throw new AppError('INVALID_INPUT', `"${row.name}" is offline (it reads a snapshot): nobody can sign in with it. Give it a connection first.`);
    const draft = draftOfStored(this.deps.db, row);
    const target = targetFromDraft(draft);
    const m = draft.mapping;
    const scripts = normalizeScripts(draft.scripts);
    const servicePassword = () => this.deps.servers.passwordForDraft({ serverId: row.id, draft, password: { kind: 'keep' } });
    return {
      id: row.id,
      name: row.name,
      target,
      servicePassword,
      mapping: { email: m.email.trim(), firstName: m.firstName.trim(), lastName: m.lastName.trim() },
      scripts,
      // The same strict read of the groups below the base a sync makes (bounded by the server's timeout).
      groups: usesGroups(scripts)
        ? async () => {
            const closure = await openGroups({ db: this.deps.db, target, source: { kind: 'live' }, password: servicePassword });
            return (dn: string) => closure.of(dn);
          }
        : null,
    };
  }
}
