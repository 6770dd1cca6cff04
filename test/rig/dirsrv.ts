import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  DIRSRV_DEFAULT_PEOPLE, DIRSRV_LOCKED, DIRSRV_NO_ACI, DIRSRV_PEOPLE_DN, DIRSRV_READER, DIRSRV_ROOT_DN, DIRSRV_ROOT_PW,
  DIRSRV_SUFFIX, dirsrvBaseLdif, personDn, personUid, type DirsrvAccount,
} from './dirsrv-data';
import { dropDbEnvironment, fixup, importLdif, launch, ldapTool, paths, terminate, type Running } from './dirsrv-instance';
import { copyTemplate, ensureTemplate } from './dirsrv-template';

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
