/**
 * One 389 Directory Server instance of the rig on disk and as a process: its paths under a private
 * prefix, dse.ldif settings, offline imports, ns-slapd in the foreground, the entryUUID fixup task.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'ldapts';
import { trackLeftovers } from './cleanup';
import { DIRSRV_ROOT_DN, DIRSRV_ROOT_PW } from './dirsrv-data';
import { run } from './exec';
import { freePort } from './ports';

/** The instance name (`slapd-lss`). */
export const INSTANCE = 'lss';
/** The server binary (Debian's 389-ds-base). */
export const NS_SLAPD = '/usr/sbin/ns-slapd';

/** The instance's paths inside a tree rooted at `tree` (lib389's PREFIX). */
export function paths(tree: string) {
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

/** Gives the tree to the dirsrv user, which ns-slapd drops to. */
export async function chownDirsrv(p: string): Promise<void> {
  await run('chown', ['-R', 'dirsrv:dirsrv', p]);
}

/** Sets the ports and loopback-only listening in dse.ldif (the server must be stopped). */
export async function configure(tree: string, ldapPort: number, ldapsPort: number): Promise<void> {
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
export async function importLdif(tree: string, ldif: string): Promise<void> {
  const file = path.join(tree, 'import.ldif');
  await writeFile(file, ldif);
  await chownDirsrv(file);
  try {
    await run(NS_SLAPD, ['ldif2db', '-D', paths(tree).conf, '-n', 'userRoot', '-i', file], { timeoutMs: 300_000 });
  } finally {
    await rm(file, { force: true });
  }
}

/** A started ns-slapd and its URLs. */
export interface Running {
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

/** SIGTERM, SIGKILL after 15 s; resolves when the process is gone. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await gone;
  clearTimeout(timer);
}

/** Starts ns-slapd in the foreground (`-d 0`) on the given ports, or on new free ones (retried when taken meanwhile). */
export async function launch(tree: string, ports?: { ldap: number; ldaps: number }): Promise<Running> {
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

/** Removes the BDB environment's region files (~120 MB, rebuilt at start after a clean shutdown): each copy stays small. */
export async function dropDbEnvironment(tree: string): Promise<void> {
  const db = path.join(tree, 'var', 'lib', 'dirsrv', `slapd-${INSTANCE}`, 'db');
  for (const f of await readdir(db)) if (f.startsWith('__db.')) await rm(path.join(db, f), { force: true });
}

/** An ldap-utils tool as Directory Manager. */
export async function ldapTool(tool: 'ldapadd' | 'ldapmodify' | 'ldapsearch', url: string, args: string[], input = '') {
  return run(tool, ['-x', '-H', url, '-D', DIRSRV_ROOT_DN, '-w', DIRSRV_ROOT_PW, ...args], { input, timeoutMs: 300_000 });
}

let fixups = 0;

/** The entryUUID fixup task (what `dsconf INSTANCE plugin entryuuid fixup BASE` adds), waited for. */
export async function fixup(url: string, base: string): Promise<void> {
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
