import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { trackLeftovers } from './cleanup';
import { run } from './exec';

/**
 * Environment a client (this process or a child) needs to reach the private keyring. A type
 * alias (not an interface) so it is assignable to `Record<string, string>`.
 */
export type KeyringEnv = {
  /** `unix:path=<dir>/bus,guid=...` of the private session bus. */
  DBUS_SESSION_BUS_ADDRESS: string;
};

/** A private D-Bus session bus with an unlocked gnome-keyring Secret Service on it. */
export interface Keyring {
  /** Merge into a child's env (or process.env) so libsecret/secret-tool talk to this keyring. */
  env: KeyringEnv;
  /** Temp dir: HOME/XDG dirs of the daemon, bus socket, logs. */
  dir: string;
  /** Password that unlocked the `login` collection. */
  unlockPassword: string;
  /** Kills gnome-keyring-daemon and dbus-daemon, removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

/** Session bus config without service activation, so nothing but our daemon can own the Secret Service. */
function busConfig(socket: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`;
}

/** Starts dbus-daemon in the foreground (`--nofork`, so the child pid is the daemon's). */
function spawnBus(configFile: string, logFd: number): ChildProcess {
  const child = spawn('dbus-daemon', [`--config-file=${configFile}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', logFd],
  });
  child.on('error', () => {});
  return child;
}

/** Resolves with the address dbus-daemon prints once it listens. */
function busAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`dbus-daemon exited with ${code}`)));
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(out.slice(0, nl).trim());
    });
  });
}

/** True once the Secret Service answers and its `default` alias points at a collection. */
async function secretServiceReady(env: NodeJS.ProcessEnv): Promise<boolean> {
  const args = ['--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets',
    'org.freedesktop.Secret.Service.ReadAlias', 'string:default'];
  try {
    const { stdout } = await run('dbus-send', args, { env, timeoutMs: 2000 });
    return /object path "\/org\/freedesktop\/secrets\/collection\//.test(stdout);
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  child.ref();
  return new Promise((r) => child.once('exit', () => r()));
}

/**
 * Starts a private session bus plus `gnome-keyring-daemon --foreground --unlock --components=secrets`
 * with its own HOME/XDG dirs, unlocked with a non-empty password fed on stdin (an empty one makes
 * the daemon ask a GUI prompter and fail). Resolves once the `login` collection exists.
 */
export async function startKeyring(): Promise<Keyring> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lss-keyring-'));
  const home = path.join(dir, 'home');
  const runtime = path.join(dir, 'run');
  await Promise.all([mkdir(home), mkdir(runtime, { mode: 0o700 })]);
  const configFile = path.join(dir, 'bus.conf');
  await writeFile(configFile, busConfig(path.join(dir, 'bus')));
  const logFile = path.join(dir, 'daemons.log');
  const logFd = openSync(logFile, 'a');
  const unlockPassword = 'rig-unlock-pw';
  const children: ChildProcess[] = [];
  let untrack = () => {};
  const stopAll = async () => {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map(exited));
    untrack();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const bus = spawnBus(configFile, logFd);
    children.push(bus);
    const env = { DBUS_SESSION_BUS_ADDRESS: await busAddress(bus) };
    const daemonEnv = {
      PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime, XDG_DATA_HOME: path.join(home, '.local/share'),
      XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache'), ...env,
    };
    const gk = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
      env: daemonEnv, stdio: ['pipe', logFd, logFd],
    });
    gk.on('error', () => {});
    children.push(gk);
    gk.stdin!.end(unlockPassword);
    untrack = trackLeftovers(children.map((c) => c.pid!).filter(Boolean), dir);
    const clientEnv = { ...process.env, ...env };
    const deadline = Date.now() + 10_000;
    while (!(await secretServiceReady(clientEnv))) {
      if (gk.exitCode !== null || Date.now() > deadline) {
        throw new Error(`gnome-keyring did not come up:\n${await readFile(logFile, 'utf8').catch(() => '')}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // A forgotten stop() must not keep the test process alive; the exit hook kills the daemons.
    for (const c of children) c.unref();
    bus.stdout?.destroy();
    let stopping: Promise<void> | undefined;
    return { env, dir, unlockPassword, stop: () => (stopping ??= stopAll()) };
  } catch (e) {
    await stopAll();
    throw e;
  } finally {
    closeSync(logFd);
  }
}
