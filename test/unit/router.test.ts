import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { createHandlers } from '../../src-main/ipc/handlers';
import { createRouter, type Handlers } from '../../src-main/ipc/router';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';
import { emptyServerDraft } from '../../src-shared/domain/server';
import { ERROR_CODES } from '../../src-shared/errors';

const ORIGIN = 'app://renderer';
const noEvents = { emit: () => {} };

describe('the IPC router', () => {
  let dir: string;
  let app: AppContext;
  let calls: string[];
  let route: ReturnType<typeof createRouter>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lss-router-'));
    // A keychain with no bus: these tests never store a typed password.
    app = createAppContext({ dbPath: join(dir, 's.sqlite'), keychain: new SecretToolKeychain({ PATH: process.env.PATH }) });
    calls = [];
    const real = createHandlers(app);
    const counted = Object.fromEntries(
      Object.entries(real).map(([name, fn]) => [name, (input: unknown, ctx: unknown) => (calls.push(name), (fn as (i: unknown, c: unknown) => unknown)(input, ctx))]),
    ) as unknown as Handlers;
    route = createRouter(counted, { isTrustedSender: (url) => !!url && url.startsWith(`${ORIGIN}/`) });
  });
  afterEach(async () => {
    app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a request from a frame that is not the app window, before any handler runs', async () => {
    const r = await route('https://evil.example/', 'servers.list', {}, noEvents);
    expect(r).toEqual({ ok: false, error: { code: 'FORBIDDEN_SENDER', message: expect.any(String) } });
    const none = await route(undefined, 'servers.list', {}, noEvents);
    expect(none.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('refuses unknown methods, including prototype names', async () => {
    for (const m of ['servers.drop', '__proto__', 'constructor', 42]) {
      const r = await route(`${ORIGIN}/index.html`, m, {}, noEvents);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('UNKNOWN_METHOD');
    }
    expect(calls).toEqual([]);
  });

  it('validates the input with the method schema before the handler runs', async () => {
    const bad = [
      { draft: { ...emptyServerDraft(), timeoutSeconds: '30' }, password: { kind: 'none' } },
      { draft: emptyServerDraft(), password: { kind: 'plaintext', value: 'x' } },
      { draft: emptyServerDraft(), password: { kind: 'none' }, extra: true },
      null,
    ];
    for (const input of bad) {
      const r = await route(`${ORIGIN}/index.html`, 'servers.create', input, noEvents);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('INVALID_INPUT');
        expect(r.error.fields?.length).toBeGreaterThan(0);
      }
    }
    const badId = await route(`${ORIGIN}/index.html`, 'servers.get', { id: '../../etc' }, noEvents);
    expect(badId.ok).toBe(false);
    expect(calls).toEqual([]);
  });

  it('returns {ok, data} on success and closed-list error codes on failure', async () => {
    const list = await route(`${ORIGIN}/index.html`, 'servers.list', {}, noEvents);
    expect(list).toEqual({ ok: true, data: [] });
    const missing = await route(`${ORIGIN}/index.html`, 'servers.get', { id: '00000000-0000-4000-8000-000000000000' }, noEvents);
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      expect(missing.error.code).toBe('NOT_FOUND');
      expect(ERROR_CODES).toContain(missing.error.code);
    }
    expect(calls).toEqual(['servers.list', 'servers.get']);
  });

  it('hides unexpected errors behind INTERNAL without leaking their message', async () => {
    const logged: string[] = [];
    const broken = createRouter({ ...createHandlers(app), 'servers.list': () => { throw new Error('secret internals at /home/x'); } }, {
      isTrustedSender: () => true,
      log: { error: (m) => logged.push(m) },
    });
    const r = await broken('x', 'servers.list', {}, noEvents);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INTERNAL');
      expect(r.error.message).not.toContain('secret internals');
    }
    expect(logged).toHaveLength(1);
  });

  it('keeps every payload plain JSON', async () => {
    const created = await route(`${ORIGIN}/index.html`, 'servers.create', { draft: { ...emptyServerDraft(), name: 'A', url: 'ldap://127.0.0.1:1/dc=x', bindDn: 'cn=a,dc=x' }, password: { kind: 'none' } }, noEvents);
    expect(created.ok).toBe(true);
    expect(JSON.parse(JSON.stringify(created))).toEqual(created);
  });
});
