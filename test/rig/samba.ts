import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from 'ldapts';
import { createTestPki } from './certs';
import { trackLeftovers } from './cleanup';
import { run } from './exec';
import { cachedTemplate } from './template-cache';
import {
  SAMBA_ADMIN_DN, SAMBA_ADMIN_PASSWORD, SAMBA_BASE_DN, SAMBA_DISABLED_READER, SAMBA_DOMAIN, SAMBA_READER,
  SAMBA_REALM, sambaDataLdif, sambaDataModifyLdif,
} from './samba-data';

export * from './samba-data';

/** A bind identity of the test domain. */
export interface SambaAccount {
  dn: string;
  upn: string;
  password: string;
}

/** A running throw-away Samba AD DC, reachable only through 127.0.0.1 ports forwarded into its namespace. */
export interface SambaDc {
  /** `ldaps://127.0.0.1:P` (the DC's 636). */
  ldapsUrl: string;
  /** `ldap://127.0.0.1:Q` (the DC's 389): StartTLS works; plain simple binds are refused, as in AD. */
  ldapUrl: string;
  /** Global Catalog: `ldap://127.0.0.1:R` (3268, StartTLS) and `ldaps://127.0.0.1:S` (3269). */
  gcUrl: string;
  gcsUrl: string;
  /** The private CA that issued the DC's certificate (SAN IP:127.0.0.1). */
  caPem: string;
  caFile: string;
  /** `DC=samdom,DC=test`. */
  baseDn: string;
  /** NetBIOS domain `SAMDOM` (for `SAMDOM\user` binds) and realm `SAMDOM.TEST`. */
  domain: string;
  realm: string;
  /** Domain Administrator: may write (tests change the directory through it). */
  admin: SambaAccount;
  /** An ordinary enabled account to bind as. */
  reader: SambaAccount;
  /** A bind account with the right password and ACCOUNTDISABLE set. */
  disabledReader: SambaAccount;
  /** The DC's working copy (removed by stop()). */
  dir: string;
  /** `ldapadd` of LDIF records as Administrator over ldaps. */
  add(ldif: string): Promise<void>;
  /** `ldapmodify` of an LDIF change list as Administrator over ldaps (changetype: modify/modrdn/delete). */
  modify(ldif: string): Promise<void>;
  /** Stops the DC and its forwarders and removes `dir`. Idempotent. */
  stop(): Promise<void>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FORWARDER = path.join(HERE, 'samba-forward.mjs');
const DC_PORTS = ['389', '636', '3268', '3269'] as const;

/** Where provisioned templates are cached between test files and runs (keyed by the rig's sources). */
function cacheRoot(): string {
  return process.env.LSS_SAMBA_CACHE ?? path.join(os.tmpdir(), 'lss-samba-cache');
}

async function templateKey(): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['samba.ts', 'samba-data.ts', 'samba-forward.mjs', 'template-cache.ts']) hash.update(await readFile(path.join(HERE, f)));
  hash.update((await run('samba', ['--version'])).stdout);
  return hash.digest('hex').slice(0, 16);
}

function smbConf(dcDir: string, pkiDir: string): string {
  const d = (p: string) => path.join(dcDir, p);
  return `[global]
	netbios name = DC1
	realm = ${SAMBA_REALM}
	workgroup = ${SAMBA_DOMAIN}
	server role = active directory domain controller
	server services = ldap
	interfaces = lo
	bind interfaces only = yes
	private dir = ${d('private')}
	lock directory = ${dcDir}
	state directory = ${d('state')}
	cache directory = ${d('cache')}
	binddns dir = ${d('bind-dns')}
	pid directory = ${d('run')}
	log file = ${d('log/samba.log')}
	logging = file
	idmap_ldb:use rfc2307 = yes
	ldb:nosync = true
	tls enabled = yes
	tls keyfile = ${path.join(pkiDir, 'server.key')}
	tls certfile = ${path.join(pkiDir, 'server.crt')}
	tls cafile = ${path.join(pkiDir, 'ca.crt')}
`;
}

function missingSamba(): Error {
  return new Error('The Active Directory tests need Samba: apt-get install -y samba (see .ci/run).');
}

/** Provisions a domain in `dir/dc` with its own PKI in `dir/pki`, loads the data and stops again. */
async function buildTemplate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await createTestPki(path.join(dir, 'pki'));
  await run('samba-tool', ['domain', 'provision', '--use-rfc2307', `--realm=${SAMBA_REALM}`, `--domain=${SAMBA_DOMAIN}`,
    '--server-role=dc', '--dns-backend=SAMBA_INTERNAL', '--host-name=dc1', `--adminpass=${SAMBA_ADMIN_PASSWORD}`,
    `--targetdir=${path.join(dir, 'dc')}`], { timeoutMs: 180_000 });
  const dc = await launch(path.join(dir, 'dc'), path.join(dir, 'pki'));
  try {
    await dc.ldap('ldapadd', sambaDataLdif());
    await dc.ldap('ldapmodify', sambaDataModifyLdif());
  } finally {
    await dc.stop();
  }
}

/** The cached template for the current rig sources, built once (under a lock) when missing. */
async function ensureTemplate(): Promise<string> {
  if (!existsSync('/usr/sbin/samba') && !existsSync('/usr/bin/samba')) throw missingSamba();
  return cachedTemplate(cacheRoot(), await templateKey(), buildTemplate);
}

interface Launched {
  ports: Record<(typeof DC_PORTS)[number], number>;
  ldap(tool: 'ldapadd' | 'ldapmodify', ldif: string): Promise<void>;
  stop(): Promise<void>;
}

function waitForFile(file: string, child: ChildProcess, logFile: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = async () => {
      if (existsSync(file)) return resolve();
      if (child.exitCode !== null || Date.now() - started > ms) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        return reject(new Error(`Samba DC did not start (exit ${child.exitCode}):\n${log.slice(-2000)}`));
      }
      setTimeout(tick, 25);
    };
    void tick();
  });
}

function readPorts(child: ChildProcess): Promise<Launched['ports']> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]!));
    });
    child.once('exit', (code) => reject(new Error(`forwarder exited (${code})`)));
  });
}

async function waitForRootDse(url: string, caPem: string, ms: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    const client = new Client({ url, tlsOptions: { ca: [caPem] }, connectTimeout: 2000, timeout: 2000 });
    try {
      await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
      return;
    } catch (e) {
      if (Date.now() - started > ms) throw new Error(`Samba DC never answered on ${url}: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      await client.unbind().catch(() => {});
    }
  }
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts Samba in a network namespace of its own (`unshare -r -n`: its own 127.0.0.1:389/636, no
 * root needed) with a forwarder inside, and a forwarder outside that listens on free 127.0.0.1 ports.
 */
async function launch(dcDir: string, pkiDir: string): Promise<Launched> {
  const runDir = path.join(dcDir, 'run');
  await mkdir(runDir, { recursive: true });
  await mkdir(path.join(dcDir, 'log'), { recursive: true });
  await rm(path.join(runDir, 'inner.ready'), { force: true });
  const conf = path.join(dcDir, 'etc', 'smb.conf');
  await writeFile(conf, smbConf(dcDir, pkiDir));
  const logFile = path.join(dcDir, 'log', 'stdout');
  const script = 'ip link set lo up || exit 1; samba -i -M single -s "$1" >"$2" 2>&1 </dev/null & exec "$3" "$4" inner "$5" 389 636 3268 3269';
  // A pid namespace too: samba detaches into process groups of its own, but every process in the
  // namespace dies with its init (the inner forwarder), and --kill-child ties that to `unshare`.
  const inner = spawn('unshare', ['-r', '-n', '-p', '-f', '--kill-child', 'sh', '-c', script, 'lss-samba', conf, logFile, process.execPath, FORWARDER, runDir], {
    detached: true, stdio: ['pipe', 'ignore', 'ignore'],
  });
  inner.on('error', () => {});
  let outer: ChildProcess | undefined;
  // If this process dies, the watchdog kills the DC and removes its whole working copy.
  const untrack = trackLeftovers([-inner.pid!], path.dirname(dcDir));
  const stop = async () => {
    kill(outer?.pid, 'SIGTERM');
    kill(-inner.pid!, 'SIGTERM');
    const gone = new Promise((r) => (inner.exitCode !== null ? r(null) : inner.once('exit', r)));
    const timer = setTimeout(() => kill(-inner.pid!, 'SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
    // samba's own children may outlive the forwarder by a moment
    kill(-inner.pid!, 'SIGKILL');
    untrack();
  };
  try {
    await waitForFile(path.join(runDir, 'inner.ready'), inner, logFile, 20_000);
    outer = spawn(process.execPath, [FORWARDER, 'outer', runDir, ...DC_PORTS], { stdio: ['pipe', 'pipe', 'ignore'] });
    const ports = await readPorts(outer);
    const caFile = path.join(pkiDir, 'ca.crt');
    const ldapsUrl = `ldaps://127.0.0.1:${ports['636']}`;
    await waitForRootDse(ldapsUrl, await readFile(caFile, 'utf8'), 30_000);
    const ldap = async (tool: 'ldapadd' | 'ldapmodify', ldif: string) => {
      await run(tool, ['-x', '-H', ldapsUrl, '-D', SAMBA_ADMIN_DN, '-w', SAMBA_ADMIN_PASSWORD], {
        input: ldif, env: { ...process.env, LDAPTLS_CACERT: caFile, LDAPTLS_REQCERT: 'demand' }, timeoutMs: 300_000,
      });
    };
    return { ports, ldap, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Starts a throw-away Samba AD DC (realm SAMDOM.TEST) from a cached, provisioned and loaded
 * template: ~30 s the first time on a machine, ~2 s after. Each call gets its own copy and ports.
 */
export async function startSambaDc(): Promise<SambaDc> {
  const template = await ensureTemplate();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lss-samba-'));
  // Sockets and pid files of the template's last run are not state: skip them.
  const transient = new Set(['msg.sock', 'run', 'log', 'ldap_priv', 'ldapi']);
  await cp(path.join(template, 'dc'), path.join(dir, 'dc'), {
    recursive: true,
    filter: (src) => !transient.has(path.basename(src)),
  });
  let launched: Launched;
  try {
    launched = await launch(path.join(dir, 'dc'), path.join(template, 'pki'));
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const caFile = path.join(template, 'pki', 'ca.crt');
  let stopping: Promise<void> | undefined;
  const p = launched.ports;
  return {
    ldapsUrl: `ldaps://127.0.0.1:${p['636']}`,
    ldapUrl: `ldap://127.0.0.1:${p['389']}`,
    gcUrl: `ldap://127.0.0.1:${p['3268']}`,
    gcsUrl: `ldaps://127.0.0.1:${p['3269']}`,
    caPem: await readFile(caFile, 'utf8'),
    caFile,
    baseDn: SAMBA_BASE_DN,
    domain: SAMBA_DOMAIN,
    realm: SAMBA_REALM,
    admin: { dn: SAMBA_ADMIN_DN, upn: `Administrator@${SAMBA_REALM}`, password: SAMBA_ADMIN_PASSWORD },
    reader: { dn: SAMBA_READER.dn, upn: SAMBA_READER.upn, password: SAMBA_READER.password },
    disabledReader: { dn: SAMBA_DISABLED_READER.dn, upn: SAMBA_DISABLED_READER.upn, password: SAMBA_DISABLED_READER.password },
    dir,
    add: (ldif) => launched.ldap('ldapadd', ldif),
    modify: (ldif) => launched.ldap('ldapmodify', ldif),
    stop: () =>
      (stopping ??= (async () => {
        await launched.stop();
        await rm(dir, { recursive: true, force: true });
      })()),
  };
}
