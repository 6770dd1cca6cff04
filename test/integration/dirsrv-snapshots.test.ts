/**
 * Issue 15.3 against a real 389 Directory Server (test/rig/dirsrv.ts, 3,000 people, every 250th
 * locked): a snapshot capture fetches the operational attributes the scripts read (nsAccountLock)
 * besides '*', so a simulation from the capture equals the live one, and `snapshot compare` sees a
 * lock set since the capture.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src-main/app-context';
import { parseTrustedPem } from '../../src-main/ldap/certificate';
import { captureAttributes } from '../../src-main/services/snapshot-service';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import type { ServerDraft, ServerView } from '../../src-shared/domain/server';
import type { RunSummary } from '../../src-shared/domain/sync';
import { startDirsrv, type Dirsrv } from '../rig/dirsrv';
import { openTestApp, type TestApp } from './preview-fixture';

let ds: Dirsrv;
let t: TestApp;
let app: AppContext;
let server: ServerView;

// 389-ds locks an account with the operational attribute nsAccountLock: asked for by name only.
const ACTIVE = "function(entry) { return String(entry.nsAccountLock || '').toLowerCase() !== 'true'; }";

function draft(): ServerDraft {
  const d = emptyServerDraft();
  return {
    ...d,
    name: 'DS',
    url: `${ds.ldapsUrl}/${ds.peopleDn}`,
    bindDn: ds.reader.dn,
    searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    timeoutSeconds: 60,
    trustedCertificates: [parseTrustedPem(ds.caPem, 'ca')],
    createUsers: true,
    scripts: { ...d.scripts, active: ACTIVE },
  };
}

async function run(mode: 'sync' | 'simulate', snapshotId?: string): Promise<RunSummary> {
  const r = await app.sync.run({ serverId: server.id, mode, trigger: 'manual', source: snapshotId ? { kind: 'snapshot', snapshotId } : undefined });
  if (r.status === 'failed') throw new Error(`${mode} failed: ${r.error?.message}`);
  return r;
}

const planOf = (r: RunSummary) => [...app.sync.allChanges(r.id)].map((c) => [c.action, c.username, c.reason ?? null]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
const lock = (i: number) => ds.modify(`dn: ${ds.personDn(i)}\nchangetype: modify\nreplace: nsAccountLock\nnsAccountLock: true\n`);

beforeAll(async () => {
  ds = await startDirsrv();
  t = await openTestApp({ DS_PW: ds.reader.password });
  app = t.app;
  server = await app.servers.create(draft(), { kind: 'env', name: 'DS_PW' });
  const org = app.directory.createOrg({ name: 'People', parentId: null, authServerId: server.id });
  server = (await app.servers.update(server.id, { ...draft(), defaultOrgId: org.id }, { kind: 'keep' })).server;
}, 180_000);
afterAll(async () => {
  await t?.close();
  await ds?.stop();
});

describe('snapshots of 389-ds keep the operational attributes the server uses', { timeout: 180_000 }, () => {
  it('asks for the used attributes by name besides every user attribute', () => {
    expect(captureAttributes('all', ['mail', 'nsAccountLock', 'uid'], ['objectClass', 'uid'])).toEqual(['*', 'mail', 'nsAccountLock', 'uid', 'objectClass', 'entryUUID', 'objectGUID', 'nsUniqueId', 'ipaUniqueID']);
    expect(captureAttributes('used', '*', [])).toEqual(['*', '+', 'entryUUID', 'objectGUID', 'nsUniqueId', 'ipaUniqueID']);
  });

  it('simulates from an all-attributes capture exactly as from the live directory, a locked user included', async () => {
    const first = await run('sync');
    const locked = Math.floor(ds.people / 250);
    expect(first.counts).toMatchObject({ created: ds.people - locked, errors: 0 });
    const before = await app.snapshots.capture({ serverId: server.id, attributes: 'all', name: 'DS before' });

    await lock(1);
    const after = await app.snapshots.capture({ serverId: server.id, attributes: 'all', name: 'DS after' });
    const live = await run('simulate');
    const fromCapture = await run('simulate', after.id);
    expect(planOf(live)).toEqual([['deactivate', 'person00001', 'Active script returned false']]);
    expect(planOf(fromCapture)).toEqual(planOf(live));
    // The capture made before the lock plans nothing for that user, as the directory did then.
    expect(planOf(await run('simulate', before.id))).toEqual([]);

    const c = await app.snapshots.compare({ snapshot: before.id });
    expect(c).toMatchObject({ added: 0, removed: 0, renamed: 0, changed: 1 });
    // (The comparison names attributes in lower case.)
    expect(c.differences).toEqual([expect.objectContaining({ kind: 'changed', dn: ds.personDn(1), attributes: ['nsaccountlock'] })]);
    expect(c.differences[0]!.values).toEqual([{ attribute: 'nsaccountlock', before: [], after: ['true'], more: 0 }]);
    // Compared with the capture taken after the lock: nothing differs.
    expect(await app.snapshots.compare({ snapshot: after.id })).toMatchObject({ added: 0, removed: 0, renamed: 0, changed: 0 });
  });
});
