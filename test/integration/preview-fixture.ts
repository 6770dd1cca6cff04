import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import type { PreviewRunInput } from '../../src-main/services/preview-service';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import type { PreviewResult } from '../../src-shared/domain/preview';
import { emptyServerDraft, type ServerDraft } from '../../src-shared/domain/server';
import { parseOpRecords, type Slapd } from '../rig/slapd';

/** An app context on a store in its own temp folder (a keychain without a bus: nothing is saved in it). */
export interface TestApp {
  app: AppContext;
  dir: string;
  /** The store's files (main, WAL, shared memory) concatenated after a checkpoint-free read. */
  storeBytes(): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens a fresh app context; `env` is where `{ env }` password references are read. */
export async function openTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'lss-preview-'));
  const app = createAppContext({ dbPath: join(dir, 'store.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }), env });
  return {
    app,
    dir,
    async storeBytes() {
      const files = (await readdir(dir)).filter((f) => f.startsWith('store.sqlite')).sort();
      return Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
    },
    async close() {
      app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A form for the rig bound as the sync account, searching `base` (default: the generated people). */
export function rigDraft(slapd: Slapd, over: Partial<ServerDraft> = {}, base = slapd.baseDn): ServerDraft {
  return { ...emptyServerDraft(), name: 'Rig', url: `${slapd.url}/${base}`, bindDn: slapd.syncDn, ...over };
}

/** Runs one preview page with the sync password typed in the form. */
export function preview(app: AppContext, slapd: Slapd, draft: ServerDraft, over: Partial<PreviewRunInput> = {}): Promise<PreviewResult> {
  return app.preview.run({ sessionId: 's1', draft, password: { kind: 'value', value: slapd.syncPw }, page: 1, pageSize: 50, search: null, ...over });
}

/** The search operations (`SRCH base=...` lines) slapd logged so far. */
export async function searchOps(slapd: Slapd): Promise<string[]> {
  const lines = await slapd.readOpLog({ settleMs: 250 });
  return parseOpRecords(lines).filter((r) => r.kind === 'SRCH' && / base=/.test(r.text)).map((r) => r.text);
}

/** The `SRCH attr=...` lines slapd logged so far (the attributes each search asked for). */
export async function requestedAttributes(slapd: Slapd): Promise<string[]> {
  const lines = await slapd.readOpLog({ settleMs: 250 });
  return parseOpRecords(lines).filter((r) => r.kind === 'SRCH' && / attr=/.test(r.text)).map((r) => r.text.replace(/^.* attr=/, ''));
}

/** The usernames of a preview's rows. */
export const usernames = (r: PreviewResult) => r.rows.map((row) => row.username);
