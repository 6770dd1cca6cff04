import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CertPair, TestPki } from './certs';
import { trackLeftovers } from './cleanup';
import {
  directoryLdifChunks, LIMITED_DN, PEOPLE_DN, ROOT_DN, SUFFIX, SYNC_DN, USER_PASSWORD, userDn,
} from './directory-data';
import { run } from './exec';
import { EXTRAS_DN } from './extra-entries';
import { connectionIds, readOpLines } from './op-log';
import { freePort } from './ports';
import { sharedTestPki } from './shared-pki';
import { renderSlapdConf } from './slapd-config';
import { spawnSlapd, tail, terminate, waitForSlapd, type SlapdChild } from './slapd-process';

export { parseOpRecords, parseOps, OP_KINDS, WRITE_OP_KINDS, type OpRecord } from './op-log';
export { userAttributes, userUid } from './directory-data';

/** Which certificate slapd presents on ldaps:// and after StartTLS. */
export type SlapdTlsMode = 'ca' | 'wrong-host' | 'expired' | 'self-signed' | 'ip-only' | 'localhost-only';

/** Options of {@link startSlapd}. */
export interface SlapdOptions {
  /** Number of generated `ou=people` users (default 1200, i.e. more than one 1000-entry page). */
  users?: number;
  /** Create the size-limited account `limitedDn` (default true). */
  sizeLimitedUser?: boolean;
  /** Server certificate (default 'ca': CA-signed, SAN 127.0.0.1/localhost). */
  tls?: SlapdTlsMode;
  /** Run with `-d 256` and record per-operation stats lines for {@link Slapd.readOpLog} (default true). */
  logOps?: boolean;
  /** PKI to use (default: one shared PKI per test process). */
  pki?: TestPki;
  /** Add the hand-made preview entries under `ou=extras` (default false). */
  extras?: boolean;
}

/** Options of {@link Slapd.readOpLog}. */
export interface ReadOpLogOptions {
  /** Wait up to this long for every accepted connection to be logged as closed (default 1000 ms). */
  settleMs?: number;
}

/** A running throw-away OpenLDAP server on 127.0.0.1. */
export interface Slapd {
  /** slapd's own pid (it runs in the foreground as our child). */
  pid: number;
  ldapPort: number;
  ldapsPort: number;
  /** `ldap://127.0.0.1:<ldapPort>` (plain; StartTLS available). */
  url: string;
  /** `ldaps://127.0.0.1:<ldapsPort>`. */
  ldapsUrl: string;
  /** `dc=example,dc=com`. */
  suffix: string;
  /** `ou=people,dc=example,dc=com`, parent of the generated users. */
  baseDn: string;
  /** `cn=admin,dc=example,dc=com`: rootdn, bypasses ACLs and limits, may write. */
  rootDn: string;
  rootPw: string;
  /** `cn=sync,ou=service,dc=example,dc=com`: reads everything except userPassword, no size limit. */
  syncDn: string;
  syncPw: string;
  /** `cn=limited,ou=service,dc=example,dc=com`: reads like sync but capped at 500 entries (also when paging). */
  limitedDn: string;
  limitedPw: string;
  /** Number of users under `baseDn`. */
  userCount: number;
  /** `ou=extras,dc=example,dc=com`: the hand-made entries (present with `extras: true`). */
  extrasDn: string;
  /** Password of every generated user. */
  userPassword: string;
  /** DN of the i-th generated user, 1-based (`uid=user00001,ou=people,dc=example,dc=com`). */
  userDn(i: number): string;
  /** Certificates; `pki.caCertPem` is the CA to trust in 'ca' mode. */
  pki: TestPki;
  /** Certificate slapd serves. */
  tls: SlapdTlsMode;
  /** Temp dir (config, data, logs); removed by stop(). */
  dir: string;
  /** slapd's stderr (startup messages and, with logOps, the stats lines). */
  logFile: string;
  /** Stops slapd (SIGTERM, SIGKILL after 3 s) and removes `dir`. Idempotent. */
  stop(): Promise<void>;
  /**
   * SIGSTOP: the socket stays open but nothing is answered (timeout tests). Resolves once every
   * slapd thread is stopped: the signal is only sent when kill() returns, and a request made at once
   * was sometimes still answered (a CI run's rig test).
   */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): void;
  /**
   * Per-operation stats lines (`conn=1000 op=0 BIND dn="..." method=128`, `... SRCH base=...`,
   * `... UNBIND`, `... MOD dn=...`, `... RESULT ...`), without slapd's timestamp prefix and
   * without the rig's own startup probe. Throws if logOps was false.
   */
  readOpLog(opts?: ReadOpLogOptions): Promise<string[]>;
}

const SYNC_PW = 'sync-pass';
const LIMITED_PW = 'limited-pass';

const CERT_FOR: Record<SlapdTlsMode, (p: TestPki) => CertPair> = {
  ca: (p) => p.server,
  'wrong-host': (p) => p.wrongHost,
  expired: (p) => p.expired,
  'self-signed': (p) => p.selfSigned,
  'ip-only': (p) => p.ipOnly,
  'localhost-only': (p) => p.localhostOnly,
};

/**
 * Config + data. The LDIF is generated in chunks and streamed into `slapadd -q` (overlapping
 * generation and loading); slapadd must run before slaptest converts slapd.conf into slapd.d.
 */
async function prepare(dir: string, opts: Required<Omit<SlapdOptions, 'pki'>>, pki: TestPki, rootPw: string) {
  const conf = path.join(dir, 'slapd.conf');
  await Promise.all([mkdir(path.join(dir, 'data')), mkdir(path.join(dir, 'slapd.d'))]);
  await writeFile(conf, renderSlapdConf({
    dir, rootPw, caCertFile: pki.caCertFile, cert: CERT_FOR[opts.tls](pki), limitedAccount: opts.sizeLimitedUser,
  }));
  const ldif = directoryLdifChunks({
    users: opts.users, syncPw: SYNC_PW, limitedPw: opts.sizeLimitedUser ? LIMITED_PW : undefined, extras: opts.extras,
  });
  await run('/usr/sbin/slapadd', ['-q', '-f', conf, '-n', '1'], { input: ldif, timeoutMs: 600_000 });
  await run('/usr/sbin/slaptest', ['-Q', '-f', conf, '-F', path.join(dir, 'slapd.d')]);
}

/** Starts slapd on two free ports, retrying with new ports if one was taken meanwhile. */
async function launch(dir: string, logOps: boolean, logFile: string) {
  for (let attempt = 1; ; attempt++) {
    const [ldapPort, ldapsPort] = await Promise.all([freePort(), freePort()]);
    if (ldapPort === ldapsPort) continue;
    const url = `ldap://127.0.0.1:${ldapPort}`;
    const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
    const proc = spawnSlapd(path.join(dir, 'slapd.d'), [`${url}/`, `${ldapsUrl}/`], logOps, logFile);
    const untrack = trackLeftovers([proc.pid], dir);
    try {
      await waitForSlapd(proc, url, logFile);
      return { proc, untrack, ldapPort, ldapsPort, url, ldapsUrl };
    } catch (e) {
      await terminate(proc);
      untrack();
      const inUse = /Address already in use|bind\(\d+\) failed/.test(await tail(logFile));
      if (!inUse || attempt >= 5) throw e;
      await writeFile(logFile, '');
    }
  }
}

/**
 * Starts a throw-away OpenLDAP (slapd 2.5, back_mdb) on 127.0.0.1 with generated data, listening
 * on ldap:// and ldaps://. Each call has its own temp dir (`lss-slapd-*`) and ports.
 */
/** Resolves once every thread of process `pid` is stopped ('T' in /proc/PID/task/TID/stat); throws after 5 s. */
async function untilStopped(pid: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const tids = await readdir(`/proc/${pid}/task`);
    const states = await Promise.all(tids.map((t) => readFile(`/proc/${pid}/task/${t}/stat`, 'utf8').then((stat) => stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3), () => 'T')));
    if (states.every((s) => s === 'T' || s === 't')) return;
    if (Date.now() > deadline) throw new Error(`slapd (pid ${pid}) did not stop after SIGSTOP: thread states ${states.join('')}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const opts = { users: 1200, sizeLimitedUser: true, tls: 'ca' as SlapdTlsMode, logOps: true, extras: false, ...options };
  const pki = options.pki ?? (await sharedTestPki());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lss-slapd-'));
  const logFile = path.join(dir, 'slapd.log');
  const rootPw = 'admin-pass';
  let started: Awaited<ReturnType<typeof launch>>;
  try {
    await prepare(dir, opts, pki, rootPw);
    started = await launch(dir, opts.logOps, logFile);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const { proc, untrack } = started;
  // Every connection so far was a readiness probe: keep them out of readOpLog().
  const probes = connectionIds(await readFile(logFile, 'utf8')).accepted;
  let stopping: Promise<void> | undefined;
  const signal = (s: SlapdChild, sig: NodeJS.Signals) => void s.child.kill(sig);
  return {
    pid: proc.pid,
    ldapPort: started.ldapPort,
    ldapsPort: started.ldapsPort,
    url: started.url,
    ldapsUrl: started.ldapsUrl,
    suffix: SUFFIX,
    baseDn: PEOPLE_DN,
    rootDn: ROOT_DN,
    rootPw,
    syncDn: SYNC_DN,
    syncPw: SYNC_PW,
    limitedDn: LIMITED_DN,
    limitedPw: LIMITED_PW,
    userCount: opts.users,
    extrasDn: EXTRAS_DN,
    userPassword: USER_PASSWORD,
    userDn,
    pki,
    tls: opts.tls,
    dir,
    logFile,
    stop: () =>
      (stopping ??= (async () => {
        await terminate(proc);
        untrack();
        await rm(dir, { recursive: true, force: true });
      })()),
    pause: async () => {
      signal(proc, 'SIGSTOP');
      await untilStopped(proc.pid);
    },
    resume: () => signal(proc, 'SIGCONT'),
    readOpLog: async (o = {}) => {
      if (!opts.logOps) throw new Error('readOpLog() needs startSlapd({ logOps: true })');
      return readOpLines(logFile, o.settleMs ?? 1000, probes);
    },
  };
}
