/**
 * Directory data printed on a terminal (issue 12.6): an escape sequence or a bidi override in a
 * name or value is printed as a visible escape, never sent raw, in every text output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../rig/exec';
import { cliDirectories, cliWorkspace, corpConfig } from './cli-workspace';

const dirs = cliDirectories(6);

/** What a terminal would act on: C0 controls but newline and tab, DEL, C1 controls, bidi controls. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const CLEAR_SCREEN = '\u001b[2J';
const RETITLE = '\u001b]0;owned\u0007';
const RIGHT_TO_LEFT = '\u202e';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

let ws: Awaited<ReturnType<typeof cliWorkspace>>;

beforeAll(async () => {
  // A person whose names carry a screen clear, a terminal retitle and a right-to-left override.
  const ldif = [
    `dn: uid=mallory,${dirs.slapd.baseDn}`,
    'objectClass: inetOrgPerson',
    'uid: mallory',
    `cn:: ${b64(`Mallory${CLEAR_SCREEN}`)}`,
    `givenName:: ${b64(`Mal${RETITLE}`)}`,
    `sn:: ${b64(`Lory${RIGHT_TO_LEFT}gnp.exe`)}`,
    'mail: mallory@example.com',
    '',
  ].join('\n');
  await run('ldapadd', ['-x', '-H', dirs.slapd.url, '-D', dirs.slapd.rootDn, '-w', dirs.slapd.rootPw], { input: ldif });
  ws = await cliWorkspace('lss-cli-terminal-', dirs.slapd);
  await ws.apply(corpConfig(dirs.slapd));
}, 60_000);

afterAll(() => ws?.remove());

describe('text output with hostile directory data', { timeout: 60_000 }, () => {
  it('preview prints the escapes visibly', async () => {
    const r = await ws.ldapSync(['preview', 'Corp', '--page-size', '50']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mallory');
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('Mal\\x1b]0;owned\\x07');
    expect(r.stdout).toContain('Lory\\u{202e}gnp.exe');
  });

  it('simulate, history and users print no raw control character', async () => {
    const sim = await ws.ldapSync(['simulate', 'Corp']);
    expect(sim.code).toBe(0);
    const sync = await ws.ldapSync(['sync', 'Corp']);
    expect(sync.code).toBe(0);
    const [history, users] = await Promise.all([ws.ldapSync(['history']), ws.ldapSync(['users'])]);
    for (const r of [sim, sync, history, users]) {
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      expect(r.stderr).not.toMatch(RAW_CONTROL);
    }
    expect(users.stdout).toContain('mallory');
  });

  it('snapshot names, errors and an LDIF export carry no raw control character', async () => {
    const capture = await ws.ldapSync(['snapshot', 'capture', 'Corp', '--name', `Weekly${CLEAR_SCREEN}`]);
    expect(capture.code).toBe(0);
    const list = await ws.ldapSync(['snapshot', 'list']);
    expect(list.stdout).toContain('Weekly\\x1b[2J');
    expect(list.stdout).not.toMatch(RAW_CONTROL);
    const exported = await ws.ldapSync(['snapshot', 'export', `Weekly${CLEAR_SCREEN}`]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('uid=mallory');
    expect(exported.stdout).not.toMatch(RAW_CONTROL);
    const missing = await ws.ldapSync(['sync', `Nobody${RETITLE}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Nobody\\x1b]0;owned\\x07');
    expect(missing.stderr).not.toMatch(RAW_CONTROL);
  });
});
