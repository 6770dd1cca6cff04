import { z } from 'zod';
import { PasswordInput, ServerDraft, type ServerView } from '../domain/server';
import type { DoctorReport, StageResult } from '../domain/doctor';
import { ServerScripts } from '../domain/mapping';
import { PREVIEW_PAGE_SIZES, type PreviewResult, type RawEntry } from '../domain/preview';
import type { ScriptDiagnostic } from '../domain/scripts';

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
    input: z.object({ draft: ServerDraft, password: PasswordInput }).strict(),
    output: {} as ServerView,
  },
  'servers.update': {
    input: z.object({ id: Id, draft: ServerDraft, password: PasswordInput }).strict(),
    output: {} as { server: ServerView; passwordCleared: boolean },
  },
  'servers.duplicate': { input: z.object({ id: Id }).strict(), output: {} as ServerView },
  'servers.delete': { input: z.object({ id: Id }).strict(), output: {} as { deleted: true } },
  /** Runs the connection doctor on unsaved form values; `serverId` lets it use the stored password. */
  'servers.test': {
    input: z
      .object({ runId: RunId, serverId: Id.optional(), draft: ServerDraft, password: PasswordInput })
      .strict(),
    output: {} as DoctorReport,
  },
  'servers.cancelTest': { input: z.object({ runId: RunId }).strict(), output: {} as { cancelled: boolean } },
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
        password: PasswordInput,
        page: z.number().int().min(1),
        pageSize: PageSize,
        search: z.string().max(256).nullable(),
      })
      .strict(),
    output: {} as PreviewResult,
  },
  /** Every attribute of one entry of the preview, as the server returns it. */
  'preview.raw': {
    input: z
      .object({ sessionId: SessionId, serverId: Id.optional(), draft: ServerDraft, password: PasswordInput, dn: z.string().min(1).max(4096) })
      .strict(),
    output: {} as RawEntry,
  },
  /** Closes a preview session: its connection and cached pages. */
  'preview.close': { input: z.object({ sessionId: SessionId }).strict(), output: {} as { closed: boolean } },
  /** Compiles the scripts without running them: syntax errors and scripts that are not functions, with line and column. */
  'scripts.check': { input: z.object({ scripts: ServerScripts }).strict(), output: {} as ScriptDiagnostic[] },
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
}
export type EventName = keyof Events;
