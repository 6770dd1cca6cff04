import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import { trackLeftovers } from './cleanup';
import {
  DIRSRV_DEFAULT_PEOPLE, DIRSRV_LOCKED, DIRSRV_NO_ACI, DIRSRV_PEOPLE_DN, DIRSRV_READER, DIRSRV_ROOT_DN, DIRSRV_ROOT_PW,
  DIRSRV_SUFFIX, dirsrvBaseLdif, peopleLdif, personDn, personUid, type DirsrvAccount,
} from './dirsrv-data';
import { run } from './exec';
import { freePort } from './ports';

export * from './dirsrv-data';

/** Options of {@link startDirsrv}. */
export interface DirsrvOptions {
  /** Generated people under ou=People (default 3,000; each count has its own cached template). */
  people?: number;
}

/** A running throw-away 389 Directory Server (Debian 389-ds-base 2.3) on 127.0.0.1. */
export interface Dirsrv {
  /** `ldap://127.0.0.1:P` (plain; StartTLS works). */
  ldapUrl: string;
  /** `ldaps://127.0.0.1:S`: the server certificate names IP:127.0.0.1 and DNS:localhost. */
  ldapsUrl: string;
  /** The instance's self-signed CA, which issued the server certificate. */
  caPem: string;
  caFile: string;
  /** `dc=example,dc=test`. */
  baseDn: string;
  /** `ou=People,dc=example,dc=test`. */
  peopleDn: string;
  /** `cn=Directory Manager` and its password. */
  rootDn: string;
  rootPw: string;
  /** The bind account with a read ACI (everything but userPassword, operational attributes included). */
  reader: DirsrvAccount;
  /** An account no ACI names (sees 0 entries, rc=0). */
  noAci: DirsrvAccount;
  /** A reader locked with nsAccountLock. */
  locked: DirsrvAccount;
  /** Number of generated people. */
  people: number;
  personDn(i: number): string;
  personUid(i: number): string;
  /** The instance's working copy (removed by stop()). */
  dir: string;
  /** `ldapadd` of LDIF records as Directory Manager. */
  add(ldif: string): Promise<void>;
  /** `ldapmodify` of an LDIF change list as Directory Manager (changetype: modify/modrdn/delete). */
  modify(ldif: string): Promise<void>;
  /**
   * Replaces the directory's content with the rig's base tree plus `ldif` through an offline
   * `ldif2db` import (the server stops and starts again on the same ports): the entries get
   * nsUniqueId but no entryUUID until {@link Dirsrv.fixupEntryUuid}.
   */
  reimport(ldif: string): Promise<void>;
  /** Runs the entryUUID plugin's fixup task below `base` (default the suffix) and waits for it. */
  fixupEntryUuid(base?: string): Promise<void>;
  /** Stops the server and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INSTANCE = 'lss';
const NS_SLAPD = '/usr/sbin/ns-slapd';

function cacheRoot(): string {
  return process.env.LSS_DIRSRV_CACHE ?? path.join(os.tmpdir(), 'lss-dirsrv-cache');
}

async function templateKey(people: number): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['dirsrv.ts', 'dirsrv-data.ts']) hash.update(await readFile(path.join(HERE, f)));
  hash.update((await run('dpkg-query', ['-W', '-f', '${Version}', '389-ds-base'])).stdout);
  hash.update(String(people));
  return hash.digest('hex').slice(0, 16);
}

/** The instance's paths inside a tree rooted at `tree` (lib389's PREFIX). */
function paths(tree: string) {
  const conf = path.join(tree, 'etc', 'dirsrv', `slapd-${INSTANCE}`);
  return {
    conf,
    dse: path.join(conf, 'dse.ldif'),
    caFile: path.join(tree, 'etc', 'dirsrv', 'ssca', 'ca.crt'),
    ssca: path.join(tree, 'etc', 'dirsrv', 'ssca'),
    pidFile: path.join(tree, 'run', `slapd-${INSTANCE}.pid`),
    errors: path.join(tree, 'var', 'log', 'dirsrv', `slapd-${INSTANCE}`, 'errors'),
    dbHome: path.join(tree, 'var', 'lib', 'dirsrv', `slapd-${INSTANCE}`, 'dbhome'),
  };
}

/** lib389's defaults.inf with systemd off and every instance path under `tree` (so dscreate needs no systemd and no root paths). */
async function privateDefaults(tree: string): Promise<string> {
  const text = await readFile('/usr/share/dirsrv/inf/defaults.inf', 'utf8');
  const set: Record<string, string> = {
    with_systemd: '0',
    sysconf_dir: `${tree}/etc`,
    initconfig_dir: `${tree}/etc/default`,
    config_dir: `${tree}/etc/dirsrv/slapd-{instance_name}`,
    local_state_dir: `${tree}/var`,
    run_dir: `${tree}/run`,
    ldapi: `${tree}/run/slapd-{instance_name}.socket`,
    pid_file: `${tree}/run/slapd-{instance_name}.pid`,
    tmpfiles_d: `${tree}/tmpfiles.d`,
    schema_dir: `${tree}/etc/dirsrv/slapd-{instance_name}/schema`,
    cert_dir: `${tree}/etc/dirsrv/slapd-{instance_name}`,
    lock_dir: `${tree}/lock/slapd-{instance_name}`,
    // The BDB environment lives in /dev/shm by default: keep it in the copy.
    db_home_dir: `${tree}/var/lib/dirsrv/slapd-{instance_name}/dbhome`,
  };
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\w+) = (.*)$/.exec(line);
      if (!m) return line;
      if (set[m[1]!] !== undefined) return `${m[1]} = ${set[m[1]!]}`;
      return m[2]!.startsWith('/var/') ? `${m[1]} = ${tree}${m[2]}` : line;
    })
    .join('\n');
}

function instanceInf(ldapPort: number, ldapsPort: number): string {
  return `[general]
full_machine_name = localhost
start = False
[slapd]
instance_name = ${INSTANCE}
port = ${ldapPort}
secure_port = ${ldapsPort}
root_dn = ${DIRSRV_ROOT_DN}
root_password = ${DIRSRV_ROOT_PW}
self_sign_cert = True
self_sign_cert_valid_months = 120
[backend-userroot]
suffix = ${DIRSRV_SUFFIX}
sample_entries = no
create_suffix_entry = no
`;
}

async function chownDirsrv(p: string): Promise<void> {
  await run('chown', ['-R', 'dirsrv:dirsrv', p]);
}

/** dscreate names the server certificate `localhost` only: reissue it from the instance's CA with an IP SAN. */
async function reissueCertificate(tree: string): Promise<void> {
  const p = paths(tree);
  const pw = path.join(p.conf, 'pwdfile.txt');
  const csr = path.join(p.conf, 'lss-server.csr');
  const crt = path.join(p.conf, 'lss-server.crt');
  const san = ['--extSAN', 'ip:127.0.0.1,dns:localhost'];
  await run('certutil', ['-R', '-s', 'CN=127.0.0.1', '-d', p.conf, '-f', pw, '-z', path.join(p.conf, 'noise.txt'), '-g', '2048', '-a', '-o', csr, ...san]);
  await run('certutil', ['-C', '-d', p.ssca, '-f', path.join(p.ssca, 'pwdfile.txt'), '-c', 'Self-Signed-CA', '-a', '-i', csr, '-o', crt,
    '-v', '120', ...san, '--extKeyUsage', 'serverAuth']);
  await run('certutil', ['-D', '-n', 'Server-Cert', '-d', p.conf]);
  await run('certutil', ['-A', '-n', 'Server-Cert', '-t', ',,', '-a', '-i', crt, '-d', p.conf, '-f', pw]);
}

/** Sets the ports and loopback-only listening in dse.ldif (the server must be stopped). */
async function configure(tree: string, ldapPort: number, ldapsPort: number): Promise<void> {
  const dse = paths(tree).dse;
  const lines = (await readFile(dse, 'utf8')).split('\n').filter((l) => !/^nsslapd-(secure)?listenhost:/i.test(l));
  const out: string[] = [];
  for (const l of lines) {
    if (/^nsslapd-port:/i.test(l)) out.push(`nsslapd-port: ${ldapPort}`, 'nsslapd-listenhost: 127.0.0.1', 'nsslapd-securelistenhost: 127.0.0.1');
    else if (/^nsslapd-securePort:/i.test(l)) out.push(`nsslapd-securePort: ${ldapsPort}`);
    else out.push(l);
  }
  await writeFile(dse, out.join('\n'));
}

/** Offline import into userRoot (replaces the backend's content). */
async function importLdif(tree: string, ldif: string): Promise<void> {
  const file = path.join(tree, 'import.ldif');
  await writeFile(file, ldif);
  await chownDirsrv(file);
  try {
    await run(NS_SLAPD, ['ldif2db', '-D', paths(tree).conf, '-n', 'userRoot', '-i', file], { timeoutMs: 300_000 });
  } finally {
    await rm(file, { force: true });
  }
}

interface Running {
  child: ChildProcess;
  ldapUrl: string;
  ldapsUrl: string;
  ldapPort: number;
  ldapsPort: number;
  untrack: () => void;
}

async function waitForRootDse(url: string, child: ChildProcess, errors: string, ms: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() - started > ms) {
      const log = await readFile(errors, 'utf8').catch(() => '');
      throw new Error(`389-ds did not start (exit ${child.exitCode}):\n${log.slice(-3000)}`);
    }
    const client = new Client({ url, connectTimeout: 1000, timeout: 1000 });
    try {
      const { searchEntries } = await client.search('', { scope: 'base', attributes: ['vendorName'] });
      // Another server that took the port meanwhile would answer too: only ours counts.
      if (!/389/.test(String(searchEntries[0]?.vendorName ?? '')) || child.exitCode !== null) throw new Error('not our 389-ds');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.unbind().catch(() => {});
    }
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

/** Starts ns-slapd in the foreground (`-d 0`) on the given ports, or on new free ones (retried when taken meanwhile). */
async function launch(tree: string, ports?: { ldap: number; ldaps: number }): Promise<Running> {
  const p = paths(tree);
  for (let attempt = 1; ; attempt++) {
    const ldapPort = ports?.ldap ?? (await freePort());
    const ldapsPort = ports?.ldaps ?? (await freePort());
    if (ldapPort === ldapsPort) continue;
    await configure(tree, ldapPort, ldapsPort);
    // A BDB environment left by a copy or a killed server is rebuilt from the database files.
    await rm(p.dbHome, { recursive: true, force: true });
    await mkdir(p.dbHome, { recursive: true });
    await chownDirsrv(p.dbHome);
    await writeFile(p.errors, '').catch(() => {});
    const out = openSync(path.join(tree, 'ns-slapd.out'), 'w');
    const child = spawn(NS_SLAPD, ['-D', p.conf, '-i', p.pidFile, '-d', '0'], { stdio: ['ignore', out, out] });
    closeSync(out);
    child.on('error', () => {});
    const untrack = trackLeftovers([child.pid!], path.dirname(tree));
    const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
    try {
      await waitForRootDse(ldapUrl, child, p.errors, 60_000);
      return { child, ldapUrl, ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`, ldapPort, ldapsPort, untrack };
    } catch (e) {
      await terminate(child);
      untrack();
      const log = await readFile(p.errors, 'utf8').catch(() => '');
      if (ports || !/Address already in use|bind\(\) failed|PR_Bind/i.test(log) || attempt >= 5) throw e;
    }
  }
}

/** Creates the instance in `dir/tree` (dscreate with a private prefix), reissues its certificate, loads the data. */
async function buildTemplate(dir: string, people: number): Promise<void> {
  const tree = path.join(dir, 'tree');
  for (const d of ['share/dirsrv/inf', 'etc/default', 'var/lib/dirsrv', 'var/log/dirsrv', 'lock', 'run', 'tmpfiles.d']) {
    await mkdir(path.join(tree, d), { recursive: true });
  }
  await mkdir(path.join(tree, 'etc', 'dirsrv'), { recursive: true });
  await run('cp', ['-r', '/etc/dirsrv/config', '/etc/dirsrv/schema', path.join(tree, 'etc', 'dirsrv')]);
  await writeFile(path.join(tree, 'share/dirsrv/inf/defaults.inf'), await privateDefaults(tree));
  const inf = path.join(dir, 'instance.inf');
  await writeFile(inf, instanceInf(await freePort(), await freePort()));
  await chmod(dir, 0o755);
  await chownDirsrv(tree);
  // lib389 needs Debian's python3, not another one earlier on PATH.
  await run('/usr/bin/python3', ['/usr/sbin/dscreate', 'from-file', inf], {
    env: { ...process.env, PREFIX: tree }, cwd: dir, timeoutMs: 180_000,
  });
  await reissueCertificate(tree);
  await importLdif(tree, dirsrvBaseLdif() + peopleLdif(1, people));
  const running = await launch(tree);
  try {
    await fixup(running.ldapUrl, DIRSRV_SUFFIX);
  } finally {
    await terminate(running.child);
    running.untrack();
  }
  await dropDbEnvironment(tree);
}

/** Removes the BDB environment's region files (~120 MB, rebuilt at start after a clean shutdown): each copy stays small. */
async function dropDbEnvironment(tree: string): Promise<void> {
  const db = path.join(tree, 'var', 'lib', 'dirsrv', `slapd-${INSTANCE}`, 'db');
  for (const f of await readdir(db)) if (f.startsWith('__db.')) await rm(path.join(db, f), { force: true });
}

async function ldapTool(tool: 'ldapadd' | 'ldapmodify' | 'ldapsearch', url: string, args: string[], input = '') {
  return run(tool, ['-x', '-H', url, '-D', DIRSRV_ROOT_DN, '-w', DIRSRV_ROOT_PW, ...args], { input, timeoutMs: 300_000 });
}

let fixups = 0;

/** The entryUUID fixup task (what `dsconf INSTANCE plugin entryuuid fixup BASE` adds), waited for. */
async function fixup(url: string, base: string): Promise<void> {
  const cn = `lss-fixup-${process.pid}-${++fixups}-${Date.now()}`;
  const dn = `cn=${cn},cn=entryuuid task,cn=tasks,cn=config`;
  await ldapTool('ldapadd', url, [], `dn: ${dn}\nobjectClass: top\nobjectClass: extensibleObject\ncn: ${cn}\nbasedn: ${base}\nfilter: (objectClass=*)\n`);
  const started = Date.now();
  for (;;) {
    const { stdout } = await ldapTool('ldapsearch', url, ['-LLL', '-b', dn, '-s', 'base', 'nsTaskExitCode']);
    const code = /nsTaskExitCode: (-?\d+)/.exec(stdout)?.[1];
    if (code === '0') return;
    if (code !== undefined) throw new Error(`entryUUID fixup task ended with ${code}`);
    if (Date.now() - started > 120_000) throw new Error('entryUUID fixup task did not finish in 120 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The cached template for this people count, built once (under a lock) when missing. */
async function ensureTemplate(people: number): Promise<string> {
  if (!existsSync(NS_SLAPD)) throw new Error('The 389-ds tests need 389 Directory Server: apt-get install -y 389-ds-base (see .ci/run).');
  const root = cacheRoot();
  const key = await templateKey(people);
  const final = path.join(root, key);
  if (existsSync(path.join(final, 'ready'))) return final;
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  const lock = path.join(root, `${key}.lock`);
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(path.join(final, 'ready'))) return final;
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 300_000) await rm(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (existsSync(path.join(final, 'ready'))) return final;
    // Built where it will stay: dse.ldif holds absolute paths, and a copy rewrites them once.
    await rm(final, { recursive: true, force: true });
    await buildTemplate(final, people);
    await writeFile(path.join(final, 'ready'), new Date().toISOString());
    return final;
  } catch (e) {
    await rm(final, { recursive: true, force: true });
    throw e;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Copies the template's tree into `dir/tree` and points every path of its configuration at the copy. */
async function copyTemplate(template: string, dir: string): Promise<string> {
  const tree = path.join(dir, 'tree');
  await run('cp', ['-a', path.join(template, 'tree'), tree]);
  const from = path.join(template, 'tree');
  const conf = paths(tree).conf;
  for (const f of await readdir(conf)) {
    if (f.startsWith('dse.ldif') && f !== 'dse.ldif') await rm(path.join(conf, f), { force: true });
  }
  const dse = paths(tree).dse;
  await writeFile(dse, (await readFile(dse, 'utf8')).split(from).join(tree));
  await rm(path.join(tree, 'run'), { recursive: true, force: true });
  await mkdir(path.join(tree, 'run'));
  await chownDirsrv(path.join(tree, 'run'));
  return tree;
}

/**
 * Starts a throw-away 389 Directory Server on 127.0.0.1 from a cached template (dscreate with a
 * private prefix and no systemd, ~20 s once per machine and people count; ~1-2 s per copy after).
 * The people have nsUniqueId and entryUUID. Each call has its own copy and ports.
 */
export async function startDirsrv(options: DirsrvOptions = {}): Promise<Dirsrv> {
  const people = options.people ?? DIRSRV_DEFAULT_PEOPLE;
  const template = await ensureTemplate(people);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lss-dirsrv-'));
  await chmod(dir, 0o755);
  let tree: string;
  let running: Running;
  try {
    tree = await copyTemplate(template, dir);
    running = await launch(tree);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const caFile = path.join(dir, 'ca.crt');
  await writeFile(caFile, await readFile(paths(tree).caFile));
  let stopping: Promise<void> | undefined;
  const url = () => running.ldapUrl;
  return {
    ldapUrl: running.ldapUrl,
    ldapsUrl: running.ldapsUrl,
    caPem: await readFile(caFile, 'utf8'),
    caFile,
    baseDn: DIRSRV_SUFFIX,
    peopleDn: DIRSRV_PEOPLE_DN,
    rootDn: DIRSRV_ROOT_DN,
    rootPw: DIRSRV_ROOT_PW,
    reader: DIRSRV_READER,
    noAci: DIRSRV_NO_ACI,
    locked: DIRSRV_LOCKED,
    people,
    personDn,
    personUid,
    dir,
    add: async (ldif) => void (await ldapTool('ldapadd', url(), [], ldif)),
    modify: async (ldif) => void (await ldapTool('ldapmodify', url(), [], ldif)),
    reimport: async (ldif) => {
      await terminate(running.child);
      running.untrack();
      await dropDbEnvironment(tree);
      await importLdif(tree, dirsrvBaseLdif() + ldif);
      running = await launch(tree, { ldap: running.ldapPort, ldaps: running.ldapsPort });
    },
    fixupEntryUuid: (base = DIRSRV_SUFFIX) => fixup(url(), base),
    stop: () =>
      (stopping ??= (async () => {
        await terminate(running.child);
        running.untrack();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}

/** Renames (modrdn) an entry as Directory Manager: a helper for rename tests. */
export function modrdnLdif(dn: string, newRdn: string): string {
  return `dn: ${dn}\nchangetype: modrdn\nnewrdn: ${newRdn}\ndeleteoldrdn: 1\n\n`;
}
