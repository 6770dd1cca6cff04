/**
 * Snapshots against a real directory through the CLI (runCli in-process; Ctrl+C spawns it): capture from slapd, preview and
 * simulate over the capture (--source) give what the live directory gives, compare finds an
 * ldapmodify, Ctrl+C leaves no snapshot, a held plan is discarded from the command line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../rig/exec';
import { userAttributes } from '../rig/slapd';
import { cliDirectories, cliWorkspace, corpConfig, FILTER, generatedOfType, json } from './cli-workspace';

const USERS = 60;
const INTERNS = generatedOfType(USERS, 'intern');

const dirs = cliDirectories(USERS);

const workspace = (prefix: string) => cliWorkspace(prefix, dirs.slapd);

const config = (active?: string) => corpConfig(dirs.slapd, active);

const replace = (i: number, attr: string, value: string) => `dn: ${dirs.slapd.userDn(i)}\nchangetype: modify\nreplace: ${attr}\n${attr}: ${value}\n\n`;
const ldapmodify = (ldif: string) => run('ldapmodify', ['-x', '-H', dirs.slapd.url, '-D', dirs.slapd.rootDn, '-w', dirs.slapd.rootPw], { input: ldif });

// Each test runs several commands against slapd: allow for a busy machine.
const SLOW = { timeout: 150_000 };

describe('ldap-sync snapshot capture and compare against a real directory', SLOW, () => {
  let ws: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    ws = await workspace('lss-cli-offline-slapd-');
    await ws.apply(config());
  });
  afterAll(() => ws?.remove());

  it('captures with progress; simulate and preview over the capture give what the live directory gives', async () => {
    const captured = await ws.ldapSync(['snapshot', 'capture', 'corp', '--name', 'Corp now', '--progress']);
    expect(captured.code).toBe(0);
    expect(captured.stdout).toMatch(/^Captured the snapshot "Corp now" \(capture of Corp, 60 entries, .* UTC\)\.\nUse it: ldap-sync simulate Corp --source 'Corp now'\n$/);
    expect(captured.stderr).toContain('Connecting to the directory…\n');
    expect(captured.stderr).toMatch(new RegExp(`Capturing: page 1, ${USERS} entries`));
    expect(captured.stderr).toMatch(new RegExp(`Done: ${USERS} entries in `));

    // One run at a time per store: the simulations run one after the other.
    const live = await ws.ldapSync(['simulate', 'Corp', '--json']);
    const [offline, livePreview, offlinePreview, list] = await Promise.all([
      ws.ldapSync(['simulate', 'Corp', '--source', 'corp now', '--json']),
      ws.ldapSync(['preview', 'Corp', '--json', '--page-size', '25', '--page', '2']),
      ws.ldapSync(['preview', 'Corp', '--json', '--page-size', '25', '--page', '2', '--source', 'Corp now']),
      ws.ldapSync(['snapshot', 'list', '--json']),
    ]);
    const a = json(live);
    const b = json(offline);
    expect(a).toMatchObject({ status: 'simulated', source: null, entries: USERS });
    expect(b).toMatchObject({ status: 'simulated', source: 'Corp now', entries: USERS });
    expect(b.counts).toEqual(a.counts);
    expect(b.counts.created).toBe(USERS);
    expect(b.changes).toEqual(a.changes);
    expect(json(offlinePreview).rows).toEqual(json(livePreview).rows);
    expect(json(offlinePreview).total).toBe(USERS);
    expect(json(list)).toMatchObject([{ name: 'Corp now', origin: 'capture', serverName: 'Corp', baseDn: dirs.slapd.baseDn, filter: FILTER, attributes: 'all', entries: USERS, usedBy: [] }]);
    const used = await ws.ldapSync(['snapshot', 'capture', 'Corp', '--name', 'Corp used', '--attributes', 'used', '--json']);
    expect(used.code).toBe(0);
    expect(json(used)).toMatchObject({ name: 'Corp used', attributes: 'used', entries: USERS });
    // A capture of only the used attributes keeps the filter's too, so it simulates like the live directory.
    const overUsed = await ws.ldapSync(['simulate', 'Corp', '--source', 'Corp used', '--json']);
    expect(overUsed.code).toBe(0);
    expect(json(overUsed).counts).toEqual(a.counts);

    // The capture's LDIF imports to the same entries.
    const exported = await ws.ldapSync(['snapshot', 'export', 'Corp now', '--output', 'corp.ldif']);
    expect(exported.code).toBe(0);
    const imported = await ws.ldapSync(['snapshot', 'import', 'corp.ldif', '--name', 'Corp file', '--json']);
    expect(imported.code).toBe(0);
    expect(json(imported)).toMatchObject({ origin: 'ldif', entries: USERS });
    const [again, reexported] = await Promise.all([ws.ldapSync(['snapshot', 'export', 'Corp file']), ws.ldapSync(['snapshot', 'export', 'Corp now'])]);
    const body = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    expect(body(again.stdout)).toBe(body(reexported.stdout));
  });

  it('compares a capture with the directory after an ldapmodify: 1 changed, with the attribute', async () => {
    const same = await ws.ldapSync(['snapshot', 'compare', 'Corp now']);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`  0 added, 0 removed, 0 changed, 0 renamed, ${USERS} unchanged\n`);
    expect(same.stdout).toContain('No differences: the directory still matches the snapshot.\n');

    const before = userAttributes(4).employeeType;
    await ldapmodify(replace(4, 'employeeType', 'terminated'));
    try {
      const [asJson, text, imported, offlineServer] = await Promise.all([
        ws.ldapSync(['snapshot', 'compare', 'Corp now', '--json']),
        ws.ldapSync(['snapshot', 'compare', 'Corp now']),
        ws.ldapSync(['snapshot', 'compare', 'Corp file']),
        ws.ldapSync(['snapshot', 'compare', 'Corp file', '--server', 'corp', '--json']),
      ]);
      expect(asJson.code).toBe(0);
      expect(json(asJson)).toEqual({
        snapshot: 'Corp now',
        server: 'Corp',
        added: 0,
        removed: 0,
        changed: 1,
        renamed: 0,
        unchanged: USERS - 1,
        matchedBy: 'entryUUID',
        differences: [{ dn: dirs.slapd.userDn(4), kind: 'changed', attributes: ['employeetype'], values: [{ attribute: 'employeetype', before: [before], after: ['terminated'], more: 0 }] }],
      });
      expect(text.code).toBe(0);
      expect(text.stdout).toContain(`  0 added, 0 removed, 1 changed, 0 renamed, ${USERS - 1} unchanged\n`);
      expect(text.stdout).toMatch(new RegExp(`^changed +${dirs.slapd.userDn(4)} +employeetype$`, 'm'));
      expect(text.stdout).toContain(`    employeetype: ${before} -> terminated\n`);
      // An imported snapshot has no server of its own: --server names one.
      expect(imported.code).toBe(1);
      expect(imported.stderr).toMatch(/^error: Name the server to compare "Corp file" with \(it was imported from a file, not captured from a server\): ldap-sync snapshot compare 'Corp file' --server NAME\n$/);
      expect(json(offlineServer)).toMatchObject({ changed: 1, unchanged: USERS - 1 });
    } finally {
      await ldapmodify(replace(4, 'employeeType', before));
    }
  });
});

describe('cancelling ldap-sync snapshot capture', SLOW, () => {
  it('stops on Ctrl+C, exits 130 and leaves no snapshot', async () => {
    const ws = await workspace('lss-cli-capture-cancel-');
    try {
      await ws.apply({ servers: [{ name: 'Slow', url: `${dirs.hang.url}/${dirs.slapd.baseDn}`, bindAnonymously: true, searchFilter: FILTER, timeoutSeconds: 120 }] });
      const child = ws.spawn(['snapshot', 'capture', 'Slow', '--name', 'Never', '--progress']);
      let stderr = '';
      let interrupted = false;
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        if (!interrupted && stderr.includes('Connecting to the directory')) {
          interrupted = true;
          // Give the reader a moment to send its bind, then press Ctrl+C once.
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      const startedAt = Date.now();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect(code).toBe(130);
      // The directory never answers: only cancelling ends the capture this soon (its timeout is 120 s).
      expect(Date.now() - startedAt).toBeLessThan(30_000);
      expect(stderr).toContain('Cancelled: the capture stopped; no snapshot was saved.\n');
      expect(json(await ws.ldapSync(['snapshot', 'list', '--json']))).toEqual([]);
    } finally {
      await ws.remove();
    }
  });
});

describe('ldap-sync history discard', SLOW, () => {
  it('drops a held plan: nothing changes, the run is discarded, and it cannot be approved or discarded again', async () => {
    const ws = await workspace('lss-cli-discard-');
    try {
      await ws.apply(config());
      expect((await ws.ldapSync(['sync', 'Corp'])).code).toBe(0);
      await ws.apply(config("function(entry) { return entry.employeeType != 'intern'; }"));
      const held = await ws.ldapSync(['sync', 'Corp', '--json']);
      expect(held.code).toBe(3);
      const id: string = json(held).runId;
      expect(json(held).counts.deactivated).toBe(INTERNS);

      const discarded = await ws.ldapSync(['history', 'discard', id]);
      expect(discarded).toEqual({ code: 0, stdout: `Discarded the held plan of run ${id} ("Corp"): nothing was changed. Synchronize again with: ldap-sync sync Corp\n`, stderr: '' });
      const [shown, users, again, approve, missing] = await Promise.all([
        ws.ldapSync(['history', 'show', id, '--json']),
        ws.ldapSync(['users', '--json']),
        ws.ldapSync(['history', 'discard', id, '--json']),
        ws.ldapSync(['sync', 'Corp', '--approve', id]),
        ws.ldapSync(['history', 'discard', 'no-such-run']),
      ]);
      expect(json(shown)).toMatchObject({ runId: id, status: 'discarded' });
      expect((json(users) as { active: boolean }[]).every((u) => u.active)).toBe(true);
      expect(again.code).toBe(1);
      expect(json(again).error).toEqual({ code: 'CONFLICT', message: `Run ${id} of "Corp" is discarded, not held: only a held plan can be discarded. It was discarded already.` });
      expect(approve.code).toBe(1);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe('error: No run has the id "no-such-run". List the runs with: ldap-sync history\n');
    } finally {
      await ws.remove();
    }
  });
});
