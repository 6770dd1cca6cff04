import { z } from 'zod';
import { type ChosenFile, ServerDraft, type ServerView, WindowPasswordInput } from '../domain/server';
import type { DoctorReport, StageResult } from '../domain/doctor';
import type { BaseDetection } from '../domain/base-detection';
import { ServerScripts } from '../domain/mapping';
import { PREVIEW_PAGE_SIZES, USERNAME_MATCHES, type PreviewResult, type RawEntry, type ScriptNameUse } from '../domain/preview';
import type { ScriptDiagnostic } from '../domain/scripts';
import { EntrySourceRef, SnapshotName, type ChosenLdifFile, type SnapshotComparison, type SnapshotProgress, type SnapshotView } from '../domain/snapshot';
import { ScriptTestCases, type ScriptTestResult } from '../domain/script-tests';
import { BULK_USERS_MAX, OrganizationInput, RoleInput, UserQuery, type OrganizationView, type RoleView, type UserPage } from '../domain/directory';
import { MAX_PASSWORD_LENGTH, SignInInput, type SignInResult } from '../domain/sign-in';
import { LocalUserInput, type CsvImportReport, type OrgAuthImpact, type UserDetail } from '../domain/local-users';
import type { UserView } from '../domain/directory';
import { PLAN_FILTERS, SyncSettings, RUN_STATUSES, type ChartPoint, type PlanPage, type RunSummary, type SyncOverview, type SyncProgress } from '../domain/sync';

/** Facts about the running app that the renderer may show. */
export interface AppInfo {
  version: string;
  dbPath: string;
  keychain: { available: boolean; backend: string; reason: string | null };
}

const Id = z.string().uuid();
const RunId = z.string().min(1).max(100);
const SessionId = z.string().min(1).max(100);
const PageSize = z.literal(PREVIEW_PAGE_SIZES);

/**
 * The one IPC contract: method name -> input schema (validated in main) and output type.
 * Add a method here, then a handler in `src-main/ipc/handlers.ts`; the types follow.
 */
export const contract = {
  'app.info': { input: z.object({}).strict(), output: {} as AppInfo },
  'servers.list': { input: z.object({}).strict(), output: {} as ServerView[] },
  'servers.get': { input: z.object({ id: Id }).strict(), output: {} as ServerView },
  'servers.create': {
    input: z.object({ draft: ServerDraft, password: WindowPasswordInput }).strict(),
    output: {} as ServerView,
  },
  'servers.update': {
    input: z.object({ id: Id, draft: ServerDraft, password: WindowPasswordInput }).strict(),
    output: {} as { server: ServerView; passwordCleared: boolean },
  },
  'servers.duplicate': { input: z.object({ id: Id }).strict(), output: {} as ServerView },
  'servers.delete': { input: z.object({ id: Id }).strict(), output: {} as { deleted: true } },
  /** Opens main's file dialog for a bind password file; null when the admin cancelled. */
  'servers.choosePasswordFile': { input: z.object({}).strict(), output: {} as ChosenFile | null },
  /** Runs the connection doctor on unsaved form values; `serverId` lets it use the stored password. */
  'servers.test': {
    input: z
      .object({ runId: RunId, serverId: Id.optional(), draft: ServerDraft, password: WindowPasswordInput })
      .strict(),
    output: {} as DoctorReport,
  },
  'servers.cancelTest': { input: z.object({ runId: RunId }).strict(), output: {} as { cancelled: boolean } },
  /** Reads the rootDSE of unsaved form values and suggests a search base (defaultNamingContext, else namingContexts). */
  'servers.detectBase': {
    input: z.object({ serverId: Id.optional(), draft: ServerDraft, password: WindowPasswordInput }).strict(),
    output: {} as BaseDetection,
  },
  /**
   * One page of the live preview of unsaved form values. A session (one per preview pane) keeps its
   * connection, cursor and fetched pages; `serverId` lets it use the stored password (doctor's rules).
   */
  'preview.run': {
    input: z
      .object({
        sessionId: SessionId,
        serverId: Id.optional(),
        draft: ServerDraft,
        password: WindowPasswordInput,
        page: z.number().int().min(1),
        pageSize: PageSize,
        search: z.string().max(256).nullable(),
        /** How the search matches usernames: whole, beginning or any part (default exact). */
        match: z.enum(USERNAME_MATCHES).optional(),
        /** Keep only the rows with problems. */
        problemsOnly: z.boolean().optional(),
        /** Read the directory again instead of the session's cached pages and counts. */
        refresh: z.boolean().optional(),
        /** A snapshot instead of the live directory (an offline draft always reads its own). */
        source: EntrySourceRef.optional(),
      })
      .strict(),
    output: {} as PreviewResult,
  },
  /** The saved servers whose Org name ('org') or Role name ('role') script returns this name (a rename or delete warns). */
  'preview.scriptsReturning': {
    input: z.object({ kind: z.enum(['org', 'role']), name: z.string().min(1).max(200) }).strict(),
    output: {} as ScriptNameUse[],
  },
  /** Every attribute of one entry of the preview, as the server returns it. */
  'preview.raw': {
    input: z
      .object({ sessionId: SessionId, serverId: Id.optional(), draft: ServerDraft, password: WindowPasswordInput, dn: z.string().min(1).max(4096), source: EntrySourceRef.optional() })
      .strict(),
    output: {} as RawEntry,
  },
  /** Closes a preview session: its connection and cached pages. */
  'preview.close': { input: z.object({ sessionId: SessionId }).strict(), output: {} as { closed: boolean } },
  /** Compiles the scripts without running them: syntax errors and scripts that are not functions, with line and column. */
  'scripts.check': { input: z.object({ scripts: ServerScripts }).strict(), output: {} as ScriptDiagnostic[] },

  'orgs.list': { input: z.object({}).strict(), output: {} as OrganizationView[] },
  'orgs.create': { input: z.object({ org: OrganizationInput }).strict(), output: {} as OrganizationView },
  'orgs.update': { input: z.object({ id: Id, org: OrganizationInput }).strict(), output: {} as OrganizationView },
  /** Deletes an organization that has no users and no child organizations. */
  'orgs.delete': { input: z.object({ id: Id }).strict(), output: {} as { deleted: true } },
  'roles.list': { input: z.object({}).strict(), output: {} as RoleView[] },
  'roles.create': { input: z.object({ role: RoleInput }).strict(), output: {} as RoleView },
  'roles.rename': { input: z.object({ id: Id, role: RoleInput }).strict(), output: {} as RoleView },
  /** Deletes a role no user has. */
  'roles.delete': { input: z.object({ id: Id }).strict(), output: {} as { deleted: true } },
  'users.list': { input: z.object({ query: UserQuery }).strict(), output: {} as UserPage },
  /** An admin deactivates (sync will not reactivate) or reactivates a user, with their devices. */
  'users.setActive': { input: z.object({ id: Id, active: z.boolean() }).strict(), output: {} as { changed: boolean } },
  /** Deactivates or reactivates several users (as an admin) in one transaction: all or nothing. */
  'users.setActiveMany': {
    input: z.object({ ids: z.array(Id).min(1).max(BULK_USERS_MAX), active: z.boolean() }).strict(),
    output: {} as { changed: number; unchanged: number },
  },
  /** A reused username the admin says is the same person: the next sync gives the account to the entry that has the username. */
  'users.relink': { input: z.object({ id: Id }).strict(), output: {} as { changed: boolean } },
  /** A reused username whose new entry is someone else: the deactivated account gives up the name (renamed NAME~released-DATE). */
  'users.release': { input: z.object({ id: Id }).strict(), output: {} as { username: string } },

  // Sign-in, local users, CSV, devices and registration keys (issue 14).
  /**
   * The Test sign-in panel: one sign-in attempt with each step and its time. The password goes to
   * one bind (or one local password comparison) and is never stored or returned; `register` records
   * an allowed registration (the new user, the device).
   */
  'auth.test': { input: SignInInput.strict(), output: {} as SignInResult },
  /** Adds a user by hand to an organization with local sign-in (`password` optional, at least 12 characters). */
  'users.add': { input: z.object({ user: LocalUserInput.strict() }).strict(), output: {} as UserView },
  /** Sets a local password; LDAP_MANAGED for a user whose organization signs in with LDAP. */
  'users.setPassword': { input: z.object({ id: Id, password: z.string().max(MAX_PASSWORD_LENGTH) }).strict(), output: {} as { changed: true } },
  /** Checks a users CSV (header row, then one user per row) and, unless `dryRun` or it has problems, adds every user (all or nothing). */
  'users.importCsv': { input: z.object({ text: z.string().max(20 * 1024 * 1024), dryRun: z.boolean() }).strict(), output: {} as CsvImportReport },
  /** Every user as CSV text, with a file name to save it under. */
  'users.exportCsv': { input: z.object({}).strict(), output: {} as { filename: string; text: string; users: number } },
  /** A user's detail page: the user, their devices, how they sign in. */
  'users.detail': { input: z.object({ id: Id }).strict(), output: {} as UserDetail },
  /** Gives an organization a new registration key; the old one stops working at once. */
  'orgs.rotateKey': { input: z.object({ id: Id }).strict(), output: {} as OrganizationView },
  /** What setting an organization's sign-in to `authServerId` (null: local) would mean for its users (ask before saving). */
  'orgs.authImpact': { input: z.object({ id: Id, authServerId: Id.nullable() }).strict(), output: {} as OrgAuthImpact },

  /** The Sync screen: settings, each server's last sync and next scheduled run, the run in progress. */
  'sync.overview': { input: z.object({}).strict(), output: {} as SyncOverview },
  'sync.saveSettings': { input: z.object({ settings: SyncSettings }).strict(), output: {} as SyncOverview },
  /**
   * Simulates or synchronizes one server; resolves when the run ends (progress streams as
   * `sync.progress`). `runId` is chosen by the caller so it can cancel.
   */
  'sync.start': {
    input: z.object({ runId: Id, serverId: Id, mode: z.enum(['simulate', 'sync']) }).strict(),
    output: {} as RunSummary,
  },
  'sync.cancel': { input: z.object({ runId: Id }).strict(), output: {} as { cancelled: boolean } },
  /** Applies exactly the plan of a held run (as a new run). */
  'sync.approve': { input: z.object({ runId: Id, newRunId: Id }).strict(), output: {} as RunSummary },
  'sync.discard': { input: z.object({ runId: Id }).strict(), output: {} as RunSummary },
  'history.list': {
    input: z
      .object({
        serverId: Id.nullable(),
        status: z.enum(RUN_STATUSES).nullable(),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(500),
      })
      .strict(),
    output: {} as { total: number; runs: RunSummary[] },
  },
  'history.get': { input: z.object({ runId: Id }).strict(), output: {} as RunSummary },
  /** A slice of a run's plan, filtered by action and searched by username or DN. */
  'history.changes': {
    input: z
      .object({
        runId: Id,
        filter: z.enum(PLAN_FILTERS),
        search: z.string().max(200).nullable(),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(1000),
      })
      .strict(),
    output: {} as PlanPage,
  },
  /** A run with its whole plan as CSV or JSON text, and a file name to save it under. */
  'history.export': {
    input: z.object({ runId: Id, format: z.enum(['csv', 'json']) }).strict(),
    output: {} as { filename: string; text: string },
  },
  /** Managed and active users after each applied run, oldest first. */
  'history.chart': { input: z.object({ serverId: Id.nullable() }).strict(), output: {} as ChartPoint[] },
  /**
   * "Simulate with these drafts": a simulation of unsaved form values over the live directory or a
   * snapshot, against the current local users; kept in history as a draft simulation only.
   */
  'sync.simulateDraft': {
    input: z.object({ runId: Id, serverId: Id.optional(), draft: ServerDraft, password: WindowPasswordInput, source: EntrySourceRef }).strict(),
    output: {} as RunSummary,
  },

  /** Runs script test cases against (possibly unsaved) scripts. */
  'scripts.test': { input: z.object({ scripts: ServerScripts, cases: ScriptTestCases }).strict(), output: {} as ScriptTestResult[] },

  'snapshots.list': { input: z.object({}).strict(), output: {} as SnapshotView[] },
  /** Captures a saved server's search results (progress as `snapshot.progress` with this jobId). */
  'snapshots.capture': {
    input: z.object({ jobId: Id, serverId: Id, name: SnapshotName.optional(), attributes: z.enum(['all', 'used']) }).strict(),
    output: {} as SnapshotView,
  },
  /** Opens main's file dialog for an LDIF file to import; null when the admin cancelled. */
  'snapshots.chooseLdifFile': { input: z.object({}).strict(), output: {} as ChosenLdifFile | null },
  /**
   * Imports the LDIF file chosen with `snapshots.chooseLdifFile` (by its token): main reads it, as a
   * stream (progress as `snapshot.progress` with this jobId; `snapshots.cancel` stops it, nothing kept).
   */
  'snapshots.importLdif': {
    input: z.object({ jobId: Id, name: SnapshotName, fileToken: z.string().uuid() }).strict(),
    output: {} as SnapshotView,
  },
  'snapshots.exportLdif': { input: z.object({ snapshotId: Id }).strict(), output: {} as { filename: string; text: string } },
  'snapshots.delete': { input: z.object({ snapshotId: Id }).strict(), output: {} as { deleted: true } },
  /** Compares a snapshot with the live directory of its server (or the one given). */
  'snapshots.compare': { input: z.object({ jobId: Id, snapshotId: Id, serverId: Id.optional() }).strict(), output: {} as SnapshotComparison },
  /** Cancels a capture, an import or a comparison. */
  'snapshots.cancel': { input: z.object({ jobId: Id }).strict(), output: {} as { cancelled: boolean } },

  /** Whether the bundled sample directory is installed, and whether the store is still empty (first start). */
  'sample.status': { input: z.object({}).strict(), output: {} as { serverId: string | null; storeEmpty: boolean } },
  'sample.install': { input: z.object({}).strict(), output: {} as { serverId: string } },
  /** Removes the sample's server, snapshot and organizations in one action. */
  'sample.remove': { input: z.object({}).strict(), output: {} as { removed: boolean } },
} as const;

/** Every method name. */
export type Method = keyof typeof contract;
/** The input type of method M (what the renderer sends). */
export type Input<M extends Method> = z.input<(typeof contract)[M]['input']>;
/** The parsed input type of method M (what a handler receives). */
export type ParsedInput<M extends Method> = z.output<(typeof contract)[M]['input']>;
/** The output type of method M. */
export type Output<M extends Method> = (typeof contract)[M]['output'];

/** Main-to-renderer events and their payloads. */
export interface Events {
  /** One doctor stage finished (streamed while `servers.test` runs). */
  'doctor.stage': { runId: string; stage: StageResult };
  /** A run's progress (any run of this process: started from the UI or by the schedule). */
  'sync.progress': SyncProgress;
  /** A run ended (so screens refresh, e.g. after a scheduled run). */
  'sync.finished': RunSummary;
  /** A snapshot capture or comparison read another page, or an LDIF import stored more entries. */
  'snapshot.progress': SnapshotProgress;
}
export type EventName = keyof Events;
