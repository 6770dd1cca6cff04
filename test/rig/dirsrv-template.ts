/**
 * The cached template of the 389-ds rig: an instance created once per machine and people count with
 * `dscreate` under a private prefix (no systemd, no system paths), its certificate reissued with an
 * IP SAN, the people imported and given entryUUIDs; and the copy each test file starts from.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DIRSRV_ROOT_DN, DIRSRV_ROOT_PW, DIRSRV_SUFFIX, dirsrvBaseLdif, peopleLdif } from './dirsrv-data';
import { chownDirsrv, dropDbEnvironment, fixup, importLdif, INSTANCE, launch, NS_SLAPD, paths, terminate } from './dirsrv-instance';
import { run } from './exec';
import { cachedTemplate } from './template-cache';
import { freePort } from './ports';

const HERE = path.dirname(fileURLToPath(import.meta.url));

function cacheRoot(): string {
  return process.env.LSS_DIRSRV_CACHE ?? path.join(os.tmpdir(), 'lss-dirsrv-cache');
}

async function templateKey(people: number): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['dirsrv-data.ts', 'dirsrv-instance.ts', 'dirsrv-template.ts', 'template-cache.ts']) hash.update(await readFile(path.join(HERE, f)));
  hash.update((await run('dpkg-query', ['-W', '-f', '${Version}', '389-ds-base'])).stdout);
  hash.update(String(people));
  return hash.digest('hex').slice(0, 16);
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

/** The cached template for this people count, built once (under a lock) when missing. */
export async function ensureTemplate(people: number): Promise<string> {
  if (!existsSync(NS_SLAPD)) throw new Error('The 389-ds tests need 389 Directory Server: apt-get install -y 389-ds-base (see .ci/run).');
  const root = cacheRoot();
  await mkdir(root, { recursive: true });
  await chmod(root, 0o755);
  // Built where it will stay: dse.ldif holds absolute paths, and a copy rewrites them once.
  return cachedTemplate(root, await templateKey(people), (folder) => buildTemplate(folder, people));
}

/** Copies the template's tree into `dir/tree` and points every path of its configuration at the copy. */
export async function copyTemplate(template: string, dir: string): Promise<string> {
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
