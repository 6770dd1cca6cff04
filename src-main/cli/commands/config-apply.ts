import { applyConfig, type ApplyOutcome } from '../../config/apply';
import { configMentionsScripts, readConfigFile } from '../../config/parse-config';
import type { CommandSpec } from '../command';

const WOULD: Record<ApplyOutcome['action'], string> = { created: 'would create', updated: 'would update', unchanged: 'unchanged' };

function clearedNote(name: string, dryRun: boolean): string {
  return (
    `  note: the stored bind password of "${name}" ${dryRun ? 'would be' : 'was'} cleared because its host or bind DN changed, ` +
    'so it is never sent to another server or account. Add "bindPassword" to the config file or enter the password in the app.\n'
  );
}

/** `ldap-sync config apply FILE`: creates or updates servers from a JSON config file, all or nothing. */
export const configApply: CommandSpec = {
  group: 'config',
  name: 'apply',
  args: ['FILE'],
  summary: 'Create or update servers from a JSON config file',
  description: `Creates or updates the servers of FILE, matched by name (ignoring case), in one transaction:
either every server is saved or none is. FILE looks like:

  { "servers": [ { "name": "Corp",
      "url": "ldap://ldap.example.com/ou=people,dc=example,dc=com",
      "startTls": true, "bindAnonymously": false,
      "bindDn": "cn=sync,dc=example,dc=com",
      "bindPassword": { "env": "CORP_BIND_PASSWORD" },
      "searchFilter": "(&(objectClass=inetOrgPerson)(uid=?))",
      "timeoutSeconds": 30,
      "trustedCertificates": [ { "file": "corp-ca.pem" } ],
      "mapping": { "email": "mail", "firstName": "givenName", "lastName": "sn" },
      "scripts": { "active": "function(entry) { return entry.employeeType != 'former'; }",
                   "orgName": "function(entry) { return entry.o; }",
                   "roleName": null } } ] }

Defaults: startTls false, bindAnonymously false, bindDn "", timeoutSeconds 30,
trustedCertificates [], mapping { "email": "mail", "firstName": "givenName", "lastName": "sn" },
scripts { "active": "function(entry) { return true; }", "orgName": null, "roleName": null }
(each mapping and scripts key defaults on its own). name, url and searchFilter are required.
A script that does not compile is refused with its line and column.
bindPassword is a reference, { "env": NAME } or { "file": PATH }, never the password itself.
Without bindPassword an existing server keeps its stored password, unless its host or bind DN
changes: then the stored password is cleared. Relative file paths are resolved against the
folder of FILE. trustedCertificates entries are { "file": PATH } or { "pem": "-----BEGIN..." }.

A file with any problem is refused as a whole: every problem is listed with its JSON path
(e.g. servers[1].url) and the store is left unchanged.`,
  options: {
    'dry-run': { type: 'boolean', help: 'Show what would change and write nothing' },
  },
  async run(ctx) {
    // Scripts are compiled before the store is opened, so a refused file leaves no trace. The
    // engine is only loaded for a file that has scripts (the defaults are known to compile).
    let config;
    if (configMentionsScripts(ctx.args[0])) {
      const { ScriptEngine } = await import('../../scripts/engine');
      const engine = await ScriptEngine.create();
      try {
        config = readConfigFile(ctx.args[0], { checkScripts: (s) => engine.check(s) });
      } finally {
        engine.dispose();
      }
    } else {
      config = readConfigFile(ctx.args[0]);
    }
    const app = ctx.app();
    const dryRun = ctx.flags['dry-run'] === true;
    const result = applyConfig(app.store.db, config, { dryRun });
    const problems: string[] = [];
    for (const account of result.releasedKeychainAccounts) {
      await app.keychain.delete(account).catch((err: Error) => problems.push(err.message));
    }
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ dryRun, servers: result.servers }, null, 2)}\n`);
    } else {
      for (const s of result.servers) {
        ctx.io.stdout(`${dryRun ? WOULD[s.action] : s.action} ${s.name}\n`);
        if (s.passwordCleared) ctx.io.stdout(clearedNote(s.name, dryRun));
      }
      if (result.servers.length === 0) ctx.io.stdout('The file lists no servers; nothing to do.\n');
      if (dryRun) ctx.io.stdout('Dry run: nothing was written.\n');
    }
    for (const p of problems) ctx.io.stderr(`warning: a replaced password could not be removed from the OS keychain: ${p}\n`);
    return 0;
  },
};
