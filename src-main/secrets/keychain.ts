import { spawn } from 'node:child_process';
import { AppError } from '../../src-shared/errors';

/** The keychain service name under which bind passwords are stored. */
export const KEYCHAIN_SERVICE = 'ldap-sync-studio';

/** Whether an OS keychain can be used here, and why not. */
export interface KeychainStatus {
  available: boolean;
  backend: string;
  reason: string | null;
}

/** The OS keychain, as the app and the CLI both use it. Secrets pass through stdin, never argv. */
export interface Keychain {
  status(): Promise<KeychainStatus>;
  set(account: string, label: string, secret: string): Promise<void>;
  get(account: string): Promise<string | null>;
  delete(account: string): Promise<void>;
}

/** The message that names the fix when no keychain exists (e.g. a headless Linux box). */
export function noKeychainMessage(reason: string): string {
  return (
    `No OS keychain is available here (${reason}), so the bind password cannot be stored. ` +
    'Reference it instead: choose "A file on this computer" as the password source in the form, ' +
    'or in a config file use "bindPassword": { "env": "NAME" } or { "file": "/path/to/file" }.'
  );
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(cmd: string, args: string[], input: string | null, env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<RunResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, stdout: '', stderr: '', spawnError: err as NodeJS.ErrnoException });
      return;
    }
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr, spawnError: err as NodeJS.ErrnoException });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/**
 * Linux: the freedesktop Secret Service (GNOME Keyring, KWallet) through libsecret's `secret-tool`.
 * Needs a D-Bus session with a running Secret Service; headless servers usually have none.
 */
export class SecretToolKeychain implements Keychain {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  async status(): Promise<KeychainStatus> {
    const r = await run('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', '__probe__'], null, this.env);
    if (r.spawnError) {
      const reason = r.spawnError.code === 'ENOENT' ? 'secret-tool is not installed (package libsecret-tools)' : r.spawnError.message;
      return { available: false, backend: 'secret-service', reason };
    }
    if (r.stderr.trim()) return { available: false, backend: 'secret-service', reason: `Secret Service unreachable: ${r.stderr.trim().split('\n')[0]}` };
    return { available: true, backend: 'secret-service', reason: null };
  }

  private async must(r: RunResult, what: string): Promise<RunResult> {
    if (r.spawnError || r.stderr.trim()) {
      const reason = r.spawnError ? (r.spawnError.code === 'ENOENT' ? 'secret-tool is not installed (package libsecret-tools)' : r.spawnError.message) : r.stderr.trim().split('\n')[0];
      throw new AppError('SECRET_UNAVAILABLE', what === 'store' ? noKeychainMessage(reason) : `The OS keychain could not ${what} the bind password: ${reason}`);
    }
    return r;
  }

  async set(account: string, label: string, secret: string): Promise<void> {
    const r = await this.must(await run('secret-tool', ['store', `--label=${label}`, 'service', KEYCHAIN_SERVICE, 'account', account], secret, this.env), 'store');
    if (r.code !== 0) throw new AppError('SECRET_UNAVAILABLE', noKeychainMessage(`secret-tool exited with ${r.code}`));
  }

  async get(account: string): Promise<string | null> {
    const r = await this.must(await run('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', account], null, this.env), 'read');
    if (r.code !== 0) return null;
    return r.stdout;
  }

  async delete(account: string): Promise<void> {
    await run('secret-tool', ['clear', 'service', KEYCHAIN_SERVICE, 'account', account], null, this.env);
  }
}

/**
 * What macOS and Windows store for us: `lss1:` and the secret's UTF-8 in base64. The tools' own
 * command languages (`security -i` lines, PowerShell literals) then only ever see [A-Za-z0-9+/=:],
 * which no newline, quote or Unicode quote in a password can break out of; and `security -w`, which
 * prints non-ASCII data as hex, always prints it as it was stored.
 */
const STORED_PREFIX = 'lss1:';

/** Encodes a secret for {@link MacKeychain} (exported for tests). */
export function encodeStoredSecret(secret: string): string {
  return STORED_PREFIX + Buffer.from(secret, 'utf8').toString('base64');
}

/** Decodes what {@link encodeStoredSecret} stored; an item stored before the encoding is returned as it is. */
export function decodeStoredSecret(stored: string): string {
  return stored.startsWith(STORED_PREFIX) ? Buffer.from(stored.slice(STORED_PREFIX.length), 'base64').toString('utf8') : stored;
}

/** A label or account for a `security -i` line: no control characters (a newline would start a new command). */
function macQuote(s: string): string {
  return `"${s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** macOS: the login keychain through `security -i`, which reads its commands (and the secret) from stdin. */
export class MacKeychain implements Keychain {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  async status(): Promise<KeychainStatus> {
    const r = await run('security', ['list-keychains'], null, this.env);
    return r.code === 0 ? { available: true, backend: 'macos-keychain', reason: null } : { available: false, backend: 'macos-keychain', reason: r.stderr.trim() || 'security tool failed' };
  }
  async set(account: string, label: string, secret: string): Promise<void> {
    const cmd = `add-generic-password -U -s ${macQuote(KEYCHAIN_SERVICE)} -a ${macQuote(account)} -l ${macQuote(label)} -w ${encodeStoredSecret(secret)}\n`;
    const r = await run('security', ['-i'], cmd, this.env);
    if (r.code !== 0 || /error/i.test(r.stderr)) throw new AppError('SECRET_UNAVAILABLE', noKeychainMessage(r.stderr.trim() || 'security failed'));
  }
  async get(account: string): Promise<string | null> {
    const r = await run('security', ['find-generic-password', '-s', KEYCHAIN_SERVICE, '-a', account, '-w'], null, this.env);
    return r.code === 0 ? decodeStoredSecret(r.stdout.replace(/\n$/, '')) : null;
  }
  async delete(account: string): Promise<void> {
    await run('security', ['delete-generic-password', '-s', KEYCHAIN_SERVICE, '-a', account], null, this.env);
  }
}

/**
 * A PowerShell expression for `s`: base64 of its UTF-8, decoded by PowerShell. PowerShell also ends
 * single-quoted strings at U+2018..U+201B, so escaping `'` alone is not enough; base64 has no quotes.
 */
function psString(s: string): string {
  return `[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('${Buffer.from(s, 'utf8').toString('base64')}'))`;
}

/** Windows: the Credential Locker (PasswordVault) through PowerShell; the script and secret go through stdin. */
export class WindowsKeychain implements Keychain {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  private ps(script: string) {
    return run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', '-'], script, this.env, 15000);
  }
  private prelude = '[void][Windows.Security.Credentials.PasswordVault,Windows.Security.Credentials,ContentType=WindowsRuntime];$v=New-Object Windows.Security.Credentials.PasswordVault;';
  async status(): Promise<KeychainStatus> {
    const r = await this.ps(`${this.prelude}'ok'\n`);
    return r.stdout.includes('ok') ? { available: true, backend: 'windows-credential-locker', reason: null } : { available: false, backend: 'windows-credential-locker', reason: r.stderr.trim() || 'PowerShell failed' };
  }
  async set(account: string, _label: string, secret: string): Promise<void> {
    const r = await this.ps(`${this.prelude}$v.Add((New-Object Windows.Security.Credentials.PasswordCredential(${psString(KEYCHAIN_SERVICE)},${psString(account)},${psString(secret)})))\n`);
    if (r.code !== 0) throw new AppError('SECRET_UNAVAILABLE', noKeychainMessage(r.stderr.trim() || 'PowerShell failed'));
  }
  async get(account: string): Promise<string | null> {
    // The password comes back as base64 of its UTF-8 too: the console's code page cannot mangle it.
    const r = await this.ps(`${this.prelude}try{$c=$v.Retrieve(${psString(KEYCHAIN_SERVICE)},${psString(account)});$c.RetrievePassword();[Console]::Out.Write([Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($c.Password)))}catch{exit 3}\n`);
    return r.code === 0 ? Buffer.from(r.stdout.trim(), 'base64').toString('utf8') : null;
  }
  async delete(account: string): Promise<void> {
    await this.ps(`${this.prelude}try{$v.Remove($v.Retrieve(${psString(KEYCHAIN_SERVICE)},${psString(account)}))}catch{}\n`);
  }
}

/** The keychain for this operating system. */
export function systemKeychain(env: NodeJS.ProcessEnv = process.env): Keychain {
  if (process.platform === 'darwin') return new MacKeychain(env);
  if (process.platform === 'win32') return new WindowsKeychain(env);
  return new SecretToolKeychain(env);
}
