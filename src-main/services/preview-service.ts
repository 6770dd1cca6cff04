import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import type { PreviewResult, RawEntry, ScriptNameUse, UsernameMatch } from '../../src-shared/domain/preview';
import type { ScriptDiagnostic } from '../../src-shared/domain/scripts';
import type { PasswordInput, ServerDraft } from '../../src-shared/domain/server';
import { AppError } from '../../src-shared/errors';
import { targetFromDraft, type LdapTarget } from '../ldap/target';
import { buildPreview } from '../preview/build-preview';
import type { EntrySource } from '../directory/entry-source';
import type { EntrySourceRef } from '../../src-shared/domain/snapshot';
import { attributesToFetch } from '../preview/preview-attributes';
import { PreviewSession } from '../preview/preview-session';
import type { ScriptRunner } from '../scripts/script-runner';
import { organizationNameKeys } from '../store/organizations-repo';
import { roleNameKeys } from '../store/roles-repo';
import { chooseSource, openGroups, openSource } from './open-source';
import { normalizeScripts } from './script-checks';
import { namesNoEntryHolds } from './snapshot-held';
import { withNames } from '../preview/evaluate-fetching';
import { usedAttributes, usesGroups } from '../scripts/used-attributes';
import type { GroupsOf } from '../scripts/wire';
import type { ServerService } from './servers-service';
import { checkSnapshotBase } from '../preview/snapshot-base-check';
import { scriptsReturningName } from '../preview/name-uses';

/** The most preview sessions kept open at once; the least recently used is closed beyond it. */
export const MAX_PREVIEW_SESSIONS = 16;

/** What the preview service needs. */
export interface PreviewServiceDeps {
  db: Database.Database;
  servers: ServerService;
  scriptEngine: () => Promise<ScriptRunner>;
  /** Opens the entry source of a session (default: the live directory). */
  openSource?: (target: LdapTarget, password: string | null) => EntrySource;
}

/** The unsaved form values a preview call works on. */
export interface PreviewTarget {
  sessionId: string;
  serverId?: string;
  draft: ServerDraft;
  password: PasswordInput;
  /** Read a snapshot instead of the live directory (an offline draft always reads its snapshot). */
  source?: EntrySourceRef;
}

/** One `preview.run` request. */
export interface PreviewRunInput extends PreviewTarget {
  page: number;
  pageSize: number;
  search: string | null;
  /** How the search matches usernames (default 'exact'). */
  match?: UsernameMatch;
  /** Keep only the rows with problems. */
  problemsOnly?: boolean;
  /** Read the directory (or snapshot) again: the session's connection, counts and cached pages are dropped first. */
  refresh?: boolean;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The snapshot a preview reads, or null for the live directory. */
function snapshotOf(input: PreviewTarget): string | null {
  const source = chooseSource(input.draft, input.source);
  return source.kind === 'snapshot' ? source.snapshotId : null;
}

/**
 * The live preview: shows how each directory entry of the unsaved form would become users, page
 * by page. One session per preview pane keeps its connection, cursor and cached pages; every call
 * reads, nothing is ever written to the store or the directory.
 */
export class PreviewService {
  private readonly sessions = new Map<string, PreviewSession>();

  constructor(private readonly deps: PreviewServiceDeps) {}

  /** One page of the preview of the form values. */
  async run(input: PreviewRunInput): Promise<PreviewResult> {
    const target = targetFromDraft(input.draft);
    const scripts = normalizeScripts(input.draft.scripts);
    const m = input.draft.mapping;
    const mapping = { email: m.email.trim(), firstName: m.firstName.trim(), lastName: m.lastName.trim() };
    const search = input.search !== null && input.search.trim() !== '' ? input.search.trim() : null;
    const session = this.session(input.sessionId);
    const match = input.match ?? 'exact';
    return session.exclusive(async () => {
      if (input.refresh) await session.reset();
      const source = await this.sourceFor(session, input, target);
      const req = { page: input.page, pageSize: input.pageSize, search, match, attributes: attributesToFetch(target.usernameAttribute, mapping, scripts) };
      const page = await this.guard(session, () => source.page(req));
      // A snapshot of another tree finds nothing: say why instead of showing 0 entries.
      const snapshotId = snapshotOf(input);
      if (snapshotId && page.total === 0 && search === null) checkSnapshotBase(this.deps.db, snapshotId, target.baseDn);
      const engine = await this.deps.scriptEngine();
      // A live directory fetches what a script read but the analysis missed; a snapshot holds what it holds.
      const used = usedAttributes(scripts);
      const withhold = snapshotId && !used.dynamic ? namesNoEntryHolds(this.deps.db, snapshotId, used.names) : [];
      const refetch = snapshotId ? undefined : (add: readonly string[]) => this.guard(session, () => source.page({ ...req, attributes: withNames(req.attributes, add) }));
      const groups = usesGroups(scripts) ? await this.groupsFor(session, input, target) : undefined;
      return buildPreview({
        engine,
        scripts,
        mapping,
        usernameAttribute: target.usernameAttribute,
        page: input.page,
        pageSize: input.pageSize,
        search,
        match,
        problemsOnly: input.problemsOnly ?? false,
        source: page,
        otherPages: source.cachedPages(req),
        organizations: organizationNameKeys(this.deps.db),
        roles: roleNameKeys(this.deps.db),
        refetch,
        withhold,
        groups,
      });
    });
  }

  /** Every attribute of one entry (below the search base), as the server returns it. */
  async raw(input: PreviewTarget & { dn: string }): Promise<RawEntry> {
    const target = targetFromDraft(input.draft);
    const session = this.session(input.sessionId);
    return session.exclusive(async () => {
      const source = await this.sourceFor(session, input, target);
      const entry = await this.guard(session, () => source.raw(input.dn));
      // What the `groups` helpers see for it, when the scripts use them (a test case made from it keeps them).
      // Groups that cannot be read (a snapshot without them: the preview says why) leave the entry as it is.
      if (!usesGroups(normalizeScripts(input.draft.scripts))) return entry;
      const groupsOf = await this.groupsFor(session, input, target).catch(() => null);
      return groupsOf ? { ...entry, groups: [...groupsOf(entry.dn)] } : entry;
    });
  }

  /** The saved servers whose Org name (kind 'org') or Role name (kind 'role') script returns `name` as written in its text. */
  scriptsReturning(kind: 'org' | 'role', name: string): ScriptNameUse[] {
    return scriptsReturningName(this.deps.servers.list(), kind, name);
  }

  /** Compiles the scripts (blank Org name / Role name scripts count as none) and returns their problems. */
  async checkScripts(scripts: ServerScripts): Promise<ScriptDiagnostic[]> {
    return (await this.deps.scriptEngine()).check(normalizeScripts(scripts));
  }

  /** Closes a session's connection and drops its caches. */
  async close(sessionId: string): Promise<boolean> {
    const session = this.sessions.get(sessionId);
    if (!session) return false;
    this.sessions.delete(sessionId);
    await session.exclusive(() => session.reset()).catch(() => {});
    return true;
  }

  /** Closes every session (app shutdown); does not wait for the directory to acknowledge. */
  closeAll(): void {
    for (const s of this.sessions.values()) void s.reset().catch(() => {});
    this.sessions.clear();
  }

  /** Number of open sessions. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private session(id: string): PreviewSession {
    let s = this.sessions.get(id);
    if (!s) {
      if (this.sessions.size >= MAX_PREVIEW_SESSIONS) {
        const [oldestId, oldest] = [...this.sessions].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
        this.sessions.delete(oldestId);
        void oldest.exclusive(() => oldest.reset()).catch(() => {});
      }
      s = new PreviewSession();
      this.sessions.set(id, s);
    }
    return s;
  }

  /** The session's source for these connection inputs, reopened (password resolved again) when any of them changed. */
  private async sourceFor(session: PreviewSession, input: PreviewTarget, target: LdapTarget): Promise<EntrySource> {
    const snapshotId = snapshotOf(input);
    const key = snapshotId ? sha256(JSON.stringify(['snapshot', snapshotId, target.baseDn, target.searchFilter])) : this.connectionKey(input, target);
    if (session.source && session.key === key) return session.source;
    await session.reset();
    const password = () => this.deps.servers.passwordForDraft({ serverId: input.serverId, draft: input.draft, password: input.password });
    const custom = this.deps.openSource;
    session.source =
      custom && !snapshotId
        ? custom(target, await password())
        : await openSource({ db: this.deps.db, target, source: snapshotId ? { kind: 'snapshot', snapshotId } : { kind: 'live' }, password });
    session.key = key;
    return session.source;
  }

  /** The session's group memberships (nested groups), read once per source; a failed read is tried again on the next call. */
  private async groupsFor(session: PreviewSession, input: PreviewTarget, target: LdapTarget): Promise<GroupsOf> {
    const key = session.key ?? '';
    if (session.groups?.key !== key) {
      const snapshotId = snapshotOf(input);
      const password = () => this.deps.servers.passwordForDraft({ serverId: input.serverId, draft: input.draft, password: input.password });
      const of = openGroups({ db: this.deps.db, target, source: snapshotId ? { kind: 'snapshot', snapshotId } : { kind: 'live' }, password }).then((c) => (dn: string) => c.of(dn));
      session.groups = { key, of };
      of.catch(() => {
        if (session.groups?.of === of) session.groups = null;
      });
    }
    return session.groups!.of;
  }

  /** Runs a source call; after a failure the source is closed, so the next call reconnects and resolves the password again. */
  private async guard<T>(session: PreviewSession, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) await session.reset().catch(() => {});
      throw err;
    }
  }

  /** A hash of everything that decides the connection and the search: a change drops the session's caches. */
  private connectionKey(input: PreviewTarget, t: LdapTarget): string {
    const p = input.password;
    const password =
      t.bindAnonymously ? 'anonymous'
      : p.kind === 'value' ? `value:${sha256(p.value)}`
      : p.kind === 'env' ? `env:${p.name}`
      : p.kind === 'file' ? `file:${p.path}`
      : p.kind === 'keep' ? `keep:${input.serverId ?? ''}:${this.deps.servers.storedPasswordRef(input.serverId) ?? ''}`
      : 'none';
    const fields = [t.scheme, t.host.toLowerCase(), t.port, t.baseDn, t.startTls, t.bindAnonymously, t.bindDn, t.searchFilter, t.timeoutMs, t.trusted.map((c) => c.fingerprint256), password];
    return sha256(JSON.stringify(fields));
  }
}
