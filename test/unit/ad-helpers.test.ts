import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';
import { usedAttributes } from '../../src-main/scripts/used-attributes';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

const JOAN: EntryInput = {
  dn: 'CN=Joan Smith,OU=People,DC=samdom,DC=test',
  attributes: {
    userAccountControl: ['66050'], // NORMAL_ACCOUNT | ACCOUNTDISABLE | DONT_EXPIRE_PASSWORD
    accountExpires: ['9223372036854775807'],
    pwdLastSet: ['133497504000000000'],
    objectSid: [b64('010500000000000515000000a1b2c3d4e5f60718293a4b5c51040000')],
    objectGUID: [b64('000102030405060708090a0b0c0d0e0f')],
  },
  binary: ['objectSid', 'objectGUID'],
};

/** Runs `body` as an Org name script over the entry and gives back its result, failing on any script error. */
function run(body: string, entry: EntryInput = JOAN): string | null {
  const scripts: ServerScripts = { active: 'function(entry) { return true; }', orgName: body, roleName: null };
  const [outcome] = engine.evaluate(scripts, [entry]).outcomes;
  expect(outcome.errors).toEqual([]);
  return outcome.org;
}

/** The error message a script gets on this entry. */
function errorOf(body: string, entry: EntryInput = JOAN): string {
  const scripts: ServerScripts = { active: 'function(entry) { return true; }', orgName: body, roleName: null };
  const [outcome] = engine.evaluate(scripts, [entry]).outcomes;
  expect(outcome.errors).toHaveLength(1);
  return outcome.errors[0].message;
}

describe('ad: userAccountControl flags', () => {
  it('names the bits set, from the entry or from a value', () => {
    expect(run('e => ad.uacFlags(e).join(" ")')).toBe('ACCOUNTDISABLE NORMAL_ACCOUNT DONT_EXPIRE_PASSWORD');
    expect(run('e => ad.uacFlags(e.userAccountControl).join(" ")')).toBe('ACCOUNTDISABLE NORMAL_ACCOUNT DONT_EXPIRE_PASSWORD');
    expect(run('e => ad.uacFlags(8388608 + 16).join(" ")')).toBe('LOCKOUT PASSWORD_EXPIRED');
  });

  it('tells a disabled account from an enabled one', () => {
    expect(run('e => String(ad.isDisabled(e))')).toBe('true');
    expect(run('e => String(ad.isDisabled(e))', { dn: 'cn=x', attributes: { userAccountControl: ['512'] } })).toBe('false');
    expect(run('e => String(ad.hasUacFlag(e, "dont_expire_password")) + ad.UAC.PASSWORD_EXPIRED')).toBe('true8388608');
  });

  it('reads an entry without userAccountControl as no flags set', () => {
    expect(run('e => String(ad.isDisabled(e)) + ad.uacFlags(e).length', { dn: 'cn=x', attributes: {} })).toBe('false0');
  });

  it('refuses an unknown flag name and a value that is no integer, naming the helper', () => {
    expect(errorOf('e => String(ad.hasUacFlag(e, "DISABLED"))')).toMatch(/ad\.hasUacFlag: unknown flag .*"DISABLED".*ACCOUNTDISABLE/);
    expect(errorOf('e => String(ad.isDisabled("yes"))')).toMatch(/ad\.isDisabled expects the entry or a userAccountControl value/);
  });

  it('makes the run fetch userAccountControl when only the helper reads it, and nothing more', () => {
    expect(usedAttributes({ active: 'function(entry) { return !ad.isDisabled(entry); }', orgName: null, roleName: null })).toEqual({ names: ['userAccountControl'], dynamic: false });
    expect(usedAttributes({ active: 'e => ad.uacFlags(e).length < 3 && !ad.hasUacFlag(e, "LOCKOUT")', orgName: null, roleName: null }).dynamic).toBe(false);
    // A script's own `ad` is not the helper: the entry passed to it could be read any way.
    expect(usedAttributes({ active: 'const ad = { isDisabled: (e) => e.x };\n(function(entry) { return ad.isDisabled(entry); })', orgName: null, roleName: null }).dynamic).toBe(true);
  });
});

describe('ad: FILETIME values', () => {
  it('turns a FILETIME into a Date, and AD\'s "never" values into null', () => {
    expect(run('e => ad.fileTime(e.pwdLastSet).toISOString()')).toBe('2024-01-15T00:00:00.000Z');
    expect(run('e => String(ad.fileTime(e.accountExpires))')).toBe('null');
    expect(run('e => String(ad.fileTime("0")) + String(ad.fileTime(undefined))')).toBe('nullnull');
    expect(run('e => ad.fileTime(116444736000000000).toISOString()')).toBe('1970-01-01T00:00:00.000Z');
  });

  it('refuses text that is no FILETIME', () => {
    expect(errorOf('e => String(ad.fileTime("2024-01-01"))')).toMatch(/ad\.fileTime expects a FILETIME value/);
  });
});

describe('ad: objectSid and objectGUID as text', () => {
  it('renders objectSid as S-1-5-21-... and objectGUID in its mixed-endian form', () => {
    expect(run('e => ad.sid(e.objectSid)')).toBe('S-1-5-21-3569595041-403175141-1548433961-1105');
    expect(run('e => ad.sid(e.all("objectSid")[0])')).toBe('S-1-5-21-3569595041-403175141-1548433961-1105');
    expect(run('e => ad.guid(e.objectGUID)')).toBe('03020100-0504-0706-0809-0a0b0c0d0e0f');
  });

  it('refuses values that are not a SID or a GUID', () => {
    expect(errorOf('e => ad.guid(e.objectSid)')).toMatch(/ad\.guid expects an objectGUID value \(28 bytes is not a GUID\)/);
    expect(errorOf('e => ad.sid("not base64!")')).toMatch(/ad\.sid expects base64 text/);
  });

  // Samba's own NDR rendering (the Python bindings Debian's samba installs) is the reference.
  const samba = '/usr/bin/python3';
  const hasSambaPython = existsSync(samba) && (() => {
    try {
      execFileSync(samba, ['-c', 'import samba.dcerpc.security'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasSambaPython)('agrees with Samba on random SIDs and GUIDs', () => {
    const sids = Array.from({ length: 40 }, (_, k) => {
      const subs = k % 16;
      const authority = k % 7 === 0 ? randomBytes(6) : k % 7 === 1 ? Buffer.from([0, 0, 255, 255, 255, 255 - (k % 2)]) : Buffer.from([0, 0, 0, 0, 0, k % 20]);
      return Buffer.concat([Buffer.from([1, subs]), authority, randomBytes(4 * subs)]);
    });
    const guids = Array.from({ length: 40 }, () => randomBytes(16));
    const program = [
      'import sys, json',
      'from samba.dcerpc import security, misc',
      'from samba.ndr import ndr_unpack',
      'v = json.load(sys.stdin)',
      'print(json.dumps([str(ndr_unpack(security.dom_sid, bytes.fromhex(x))) for x in v["sids"]] + [str(ndr_unpack(misc.GUID, bytes.fromhex(x))) for x in v["guids"]]))',
    ].join('\n');
    const input = JSON.stringify({ sids: sids.map((b) => b.toString('hex')), guids: guids.map((b) => b.toString('hex')) });
    const expected = JSON.parse(execFileSync(samba, ['-c', program], { input }).toString()) as string[];
    const entries: EntryInput[] = [...sids.map((b) => ({ k: 'sid', b })), ...guids.map((b) => ({ k: 'guid', b }))].map(({ k, b }, i) => ({
      dn: `cn=v${i}`,
      attributes: { description: [k], objectSid: [b.toString('base64')] },
      binary: ['objectSid'],
    }));
    const scripts: ServerScripts = { active: 'e => true', orgName: 'e => e.description === "sid" ? ad.sid(e.objectSid) : ad.guid(e.objectSid)', roleName: null };
    const got = engine.evaluate(scripts, entries).outcomes.map((o) => o.org ?? o.errors[0]?.message);
    expect(got).toEqual(expected);
  });
});

describe('the helpers are part of the frozen sandbox', () => {
  it('cannot be replaced or changed by a script', () => {
    expect(run('e => { try { ad.isDisabled = () => false; } catch (x) {} try { globalThis.ad = null; } catch (x) {} return String(ad.isDisabled(e)); }')).toBe('true');
    expect(run('e => String(Object.isFrozen(ad) && Object.isFrozen(groups) && Object.isFrozen(ad.UAC))')).toBe('true');
  });
});
