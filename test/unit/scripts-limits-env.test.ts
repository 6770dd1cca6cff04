import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppContext, type AppContext } from '../../src-main/app-context';
import { scriptLimitsFromEnv } from '../../src-main/scripts/limits-from-env';
import { DEFAULT_SCRIPT_LIMITS } from '../../src-shared/domain/scripts';
import { SecretToolKeychain } from '../../src-main/secrets/keychain';

describe('script limits from the environment', () => {
  let dir: string | null = null;
  let app: AppContext | null = null;
  afterEach(async () => {
    app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    app = null;
    dir = null;
  });

  it('uses the defaults when nothing is set', () => {
    expect(scriptLimitsFromEnv({})).toEqual(DEFAULT_SCRIPT_LIMITS);
  });

  it('reads the time and memory limits', () => {
    const l = scriptLimitsFromEnv({ LDAP_SYNC_SCRIPT_TIME_MS: '40', LDAP_SYNC_SCRIPT_MEMORY_MB: '32' });
    expect(l.timeMs).toBe(40);
    expect(l.memoryBytes).toBe(32 * 1024 * 1024);
  });

  it('refuses a bad value with a message naming the variable and the range', () => {
    expect(() => scriptLimitsFromEnv({ LDAP_SYNC_SCRIPT_TIME_MS: 'fast' })).toThrow(/LDAP_SYNC_SCRIPT_TIME_MS must be a whole number from 10 to 60000/);
    expect(() => scriptLimitsFromEnv({ LDAP_SYNC_SCRIPT_MEMORY_MB: '4' })).toThrow(/LDAP_SYNC_SCRIPT_MEMORY_MB/);
  });

  it('applies the configured time limit to the app context engine', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lss-limits-'));
    app = createAppContext({ dbPath: join(dir, 's.sqlite'), keychain: new SecretToolKeychain({}), env: { LDAP_SYNC_SCRIPT_TIME_MS: '30' } });
    const engine = await app.scriptEngine();
    const busy = 'function(entry) { const end = Date.now() + 300; while (Date.now() < end) {} return true; }';
    const r = await engine.evaluate({ active: busy, orgName: null, roleName: null }, [{ dn: 'uid=a,dc=x', attributes: {} }]);
    expect(r.outcomes[0].errors[0]?.code).toBe('SCRIPT_TIMEOUT');
    expect(r.outcomes[0].errors[0]?.message).toMatch(/30 ms/);
  });
});
