import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeStoredSecret, MacKeychain, WindowsKeychain } from '../../src-main/secrets/keychain';

// The macOS and Windows keychain tools do not exist here, so stub executables of the same names stand
// in for them on PATH. Each records its argv and stdin, and prints `reply` (if present) as its output:
// the tests then read what a real `security -i` or PowerShell would have been asked to run.
const STUB = `#!/bin/sh
d="$STUB_DIR"; n=$(ls "$d" | grep -c '^call')
printf '%s\\n' "$@" > "$d/call$n.argv"
cat > "$d/call$n.stdin"
[ -f "$d/reply" ] && cat "$d/reply"
exit 0
`;

/** Hostile passwords: a newline that starts a second `security` command, PowerShell's other quotes. */
const HOSTILE = [
  'pw"\ndelete-keychain login.keychain\n',
  "it's",
  'a\u2018b\u2019c\u201ad\u201be; Remove-Item C:\\ -Recurse #',
  '\u2019)));Start-Process calc;((\u2018',
  'Zoë Ångström ✓ \\" \\\\',
];

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-keychain-stub-'));
  for (const name of ['security', 'powershell.exe']) {
    await writeFile(path.join(dir, name), STUB);
    await chmod(path.join(dir, name), 0o755);
  }
  env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, STUB_DIR: dir };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function calls(): Promise<{ argv: string[]; stdin: string }[]> {
  const names = (await readdir(dir)).filter((f) => /^call\d+\.argv$/.test(f)).sort();
  return Promise.all(names.map(async (f) => ({
    argv: (await readFile(path.join(dir, f), 'utf8')).split('\n').slice(0, -1),
    stdin: await readFile(path.join(dir, f.replace('.argv', '.stdin')), 'utf8'),
  })));
}

/** How `security -i` reads its input: one command per line, words split at blanks, "..." with \\ escapes. */
function securityCommands(input: string): string[][] {
  return input.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const words: string[] = [];
    let cur = '';
    let inWord = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '"') {
        inWord = true;
        for (i++; i < line.length && line[i] !== '"'; i++) cur += line[i] === '\\' ? line[++i] : line[i];
      } else if (c === ' ' || c === '\t') {
        if (inWord) words.push(cur);
        cur = '';
        inWord = false;
      } else {
        cur += c;
        inWord = true;
      }
    }
    if (inWord) words.push(cur);
    return words;
  });
}

describe('macOS keychain through security -i', () => {
  it.each(HOSTILE)('stores %j as one command whose secret reads back unchanged', async (secret) => {
    const kc = new MacKeychain(env);
    await kc.set('server-1', 'LDAP Sync Studio: Corp\nrm -rf ~', secret);
    const [set] = await calls();
    expect(set!.argv).toEqual(['-i']);
    const commands = securityCommands(set!.stdin);
    expect(commands).toHaveLength(1);
    const words = commands[0]!;
    expect(words[0]).toBe('add-generic-password');
    expect(words[words.indexOf('-l') + 1]).toBe('LDAP Sync Studio: Corp rm -rf ~');
    const stored = words[words.indexOf('-w') + 1]!;
    expect(stored).toMatch(/^lss1:[A-Za-z0-9+/=]+$/);
    expect(set!.stdin).not.toContain(secret.trim());

    // What the keychain now holds comes back through find-generic-password -w, decoded.
    await writeFile(path.join(dir, 'reply'), `${stored}\n`);
    expect(await kc.get('server-1')).toBe(secret);
  });

  it('still reads a password stored before the encoding as it is', () => {
    expect(decodeStoredSecret('plain old password')).toBe('plain old password');
  });
});

describe('Windows Credential Locker through PowerShell', () => {
  /** Every single-quoted literal in a script, ended by any quote character PowerShell accepts. */
  const literals = (script: string) => [...script.matchAll(/['\u2018-\u201b]([^'\u2018-\u201b]*)['\u2018-\u201b]/g)].map((m) => m[1]!);

  it.each(HOSTILE)('passes %j only inside base64 literals, and reads it back', async (secret) => {
    const kc = new WindowsKeychain(env);
    await kc.set("acct'\u2019", 'label', secret);
    const [set] = await calls();
    expect(set!.argv).toEqual(['-NoProfile', '-NonInteractive', '-Command', '-']);
    expect(set!.stdin).not.toMatch(/[\u2018-\u201b]/);
    const lits = literals(set!.stdin);
    for (const lit of lits) expect(lit).toMatch(/^[A-Za-z0-9+/=]*$/);
    const decoded = lits.map((l) => Buffer.from(l, 'base64').toString('utf8'));
    expect(decoded).toEqual(['ldap-sync-studio', "acct'\u2019", secret]);

    await writeFile(path.join(dir, 'reply'), Buffer.from(secret, 'utf8').toString('base64'));
    expect(await kc.get("acct'\u2019")).toBe(secret);
    const get = (await calls())[1]!;
    expect(get.stdin).not.toMatch(/[\u2018-\u201b]/);
  });
});
