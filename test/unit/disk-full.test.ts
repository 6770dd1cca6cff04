import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { reportError } from '../../src-main/cli/report-error';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter } from '../../src-main/ipc/router';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';

const ORIGIN = 'app://renderer';
const noEvents = { emit: () => {} };

describe('a full disk under the store', () => {
  let dir: string;
  let app: AppContext;
  let route: ReturnType<typeof createRouter>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lss-disk-full-'));
    app = createAppContext({ dbPath: join(dir, 's.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }) });
    route = createRouter(createHandlers(app), { isTrustedSender: (url) => !!url && url.startsWith(`${ORIGIN}/`) });
    // SQLite's own "database or disk is full": the file may not grow by a single page.
    const pages = app.store.db.pragma('page_count', { simple: true }) as number;
    app.store.db.pragma(`max_page_count = ${pages}`);
  });
  afterEach(async () => {
    app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reaches the window as DISK_FULL with the fix, and the store is as it was', async () => {
    const r = await route(`${ORIGIN}/index.html`, 'sample.install', {}, noEvents);
    expect(r).toEqual({ ok: false, error: { code: 'DISK_FULL', message: expect.stringMatching(/^The disk is full \(database or disk is full\), so this stopped and changed nothing\. Free some space/) } });
    expect(await route(`${ORIGIN}/index.html`, 'sample.status', {}, noEvents)).toEqual({ ok: true, data: { serverId: null, storeEmpty: true } });
  });

  it('is reported by the CLI as one line naming the fix, not as an unexpected failure', async () => {
    const caught: unknown = await Promise.resolve().then(() => app.sample.install()).then(() => null, (err: unknown) => err);
    expect((caught as { code?: string }).code).toBe('SQLITE_FULL');
    let stderr = '';
    let stdout = '';
    const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t), env: {} };
    expect(reportError(caught, io, { json: false, debug: false })).toBe(1);
    expect(stderr).toMatch(/^error: The disk is full \(database or disk is full\)[^\n]*\n$/);
    expect(reportError(caught, io, { json: true, debug: false })).toBe(1);
    expect(JSON.parse(stdout).error.code).toBe('DISK_FULL');
  });
});
