import { resolve } from 'node:path';
import type { ServerScripts } from '../../../src-shared/domain/mapping';
import type { ScriptDiagnostic } from '../../../src-shared/domain/scripts';
import type { ApplyAction, ApplyResult } from '../../config/apply';
import type { CommandSpec } from '../command';

const WOULD: Record<ApplyAction, string> = { created: 'would create', updated: 'would update', unchanged: 'unchanged' };

function clearedNote(name: string, dryRun: boolean): string {
  return (
    `  note: the stored bind password of "${name}" ${dryRun ? 'would be' : 'was'} cleared because its scheme, host, port, TLS mode or bind DN changed, ` +
    'so it is never sent to another server or account. Add "bindPassword" to the config file or enter the password in the app.\n'
  );
}

/** The text lines of an apply: one per server, then the organizations, roles and sync settings that change. */
function outcomeLines(result: ApplyResult): string {
  const verb = (a: ApplyAction) => (result.dryRun ? WOULD[a] : a);
  let out = '';
  for (const s of result.servers) {
    out += `${verb(s.action)} ${s.name}\n`;
    if (s.passwordCleared) out += clearedNote(s.name, result.dryRun);
  }
  // Organizations, roles and settings are listed when they change (an export lists every role and
  // the settings, which mostly stay as they are); --json lists them all.
  for (const o of result.organizations ?? []) if (o.action !== 'unchanged') out += `${verb(o.action)} organization ${o.name}\n`;
  for (const r of result.roles ?? []) if (r.action !== 'unchanged') out += `${verb(r.action)} role ${r.name}\n`;
  if (result.sync && result.sync !== 'unchanged') out += `${verb(result.sync)} sync settings\n`;
  const nothing = !result.servers.length && !result.organizations?.length && !result.roles?.length && !result.sync;
  if (nothing) out += 'The file lists no servers, organizations or roles; nothing to do.\n';
  if (result.dryRun) out += 'Dry run: nothing was written.\n';
  return out;
}

/** `ldap-sync config apply FILE`: creates or updates servers, organizations, roles and the sync settings, all or nothing. */
export const configApply: CommandSpec = {
  group: 'config',
  name: 'apply',
  args: ['FILE'],
  summary: 'Apply a JSON config file: servers, organizations, roles, sync settings',
  description: `Creates or updates the servers, organizations and roles of FILE, matched by name (ignoring
case), and saves its sync settings, in one transaction: either everything is saved or nothing is.
Nothing is ever deleted: servers, organizations and roles the file does not list are left alone,
and so is any top-level key the file does not have. FILE looks like:

  { "servers": [ { "name": "Corp",
      "url": "ldap://ldap.example.com/ou=people,dc=example,dc=com",
      "startTls": true, "bindAnonymously": false,
      "bindDn": "cn=sync,dc=example,dc=com",
      "bindPassword": { "env": "CORP_BIND_PASSWORD" },
      "searchFilter": "(&(objectClass=inetOrgPerson)(uid=?))",
      "timeoutSeconds": 30, "pageSize": 1000,
      "trustedCertificates": [ { "file": "corp-ca.pem" } ],
      "mapping": { "email": "mail", "firstName": "givenName", "lastName": "sn" },
      "scripts": { "active": "function(entry) { return entry.employeeType != 'former'; }",
                   "orgName": "function(entry) { return entry.o; }",
                   "roleName": null },
      "createUsers": false, "defaultOrg": "Staff" } ],
    "organizations": [ { "name": "Staff", "auth": { "ldapServer": "Corp" } },
                       { "name": "Sales", "parent": "Staff", "auth": { "ldapServer": "Corp" } },
                       { "name": "Guests", "auth": "local" } ],
    "roles": [ "Desktop User", "Auditor" ],
    "sync": { "every": "12h",
              "deactivationLimit": { "percent": 10, "count": 500, "dropPercent": 50 },
              "registrantsNotFound": { "action": "placeInOrg", "org": "Guests" } } }

Defaults: startTls false, bindAnonymously false, bindDn "", timeoutSeconds 30,
pageSize 1000 (entries per page of every paged read, 10 to 5000; 389-ds applies its size limit
per page, so a smaller page can read what 1000 cannot; the connection test suggests one),
trustedCertificates [], mapping { "email": "mail", "firstName": "givenName", "lastName": "sn" },
scripts { "active": "function(entry) { return true; }", "orgName": null, "roleName": null }
(each mapping and scripts key defaults on its own). name, url and searchFilter are required.
createUsers false, defaultOrg null. A script that does not compile is refused with its line and column.
bindPassword is a reference, { "env": NAME } or { "file": PATH }, never the password itself.
Without bindPassword an existing server keeps its stored password, unless its scheme, host, port, TLS mode or bind DN
changes: then the stored password is cleared. Relative file paths are resolved against the
folder of FILE. trustedCertificates entries are { "file": PATH } or { "pem": "-----BEGIN..." }.

Offline servers and script tests (each key optional; omitted, a new server gets the default and
an existing one keeps what it has): "offline": true makes a server that never connects (previews
and simulations read its snapshot; it needs no bind DN, but its URL still carries the search
base); "snapshot": NAME attaches a snapshot of the store ("ldap-sync snapshot list"; an offline
server needs one); "scriptTests": [ { "script": "active" | "orgName" | "roleName", "name": "...",
"entry": { "dn": "...", "attributes": { "employeeType": ["staff"] } }, "expected": true } ] are
the cases "ldap-sync script test NAME" runs ("expected" is true/false for active, a name or null
for orgName, a list of role names for roleName; "id" is generated when absent).

Organizations: "auth" is "local" (local passwords) or { "ldapServer": NAME }; "parent" is the
name of another organization (omitted or null: top level). Names refer to entries of the file
or to what the store already has (ignoring case). Roles: missing ones are created.
sync: "every" is "never" or a number with m, h or d (at least 5m); the sync of a server is held
for approval when it would deactivate more than "percent" of its users or more than "count"
users, or when the search returns "dropPercent" fewer entries than the last sync. Defaults:
every "12h", deactivationLimit { "percent": 10, "count": 500, "dropPercent": 50 },
registrantsNotFound { "action": "deny" }; "placeInOrg" needs an organization with local sign-in.

A file with any problem is refused as a whole: every problem is listed with its JSON path
(e.g. servers[1].url, organizations[0].parent) and the store is left unchanged.`,
  options: {
    'dry-run': { type: 'boolean', help: 'Show what would change and write nothing' },
  },
  async run(ctx) {
    const { applyConfig } = await import('../../config/apply');
    const { configMentionsScripts, readConfigFile } = await import('../../config/parse-config');
    // Scripts are compiled before the store is opened, so a refused file leaves no trace. The
    // engine is only loaded for a file that has scripts (the defaults are known to compile).
    let config;
    if (configMentionsScripts(ctx.args[0])) {
      // Compiled in the script worker (a script's top-level code could hang in a native
      // built-in): the scripts are collected in a first reading, checked, then given back.
      const { ScriptRunner } = await import('../../scripts/script-runner');
      const { scriptLimitsFromEnv } = await import('../../scripts/limits-from-env');
      const runner = await ScriptRunner.create(scriptLimitsFromEnv(ctx.io.env));
      try {
        const key = (s: ServerScripts) => JSON.stringify([s.active, s.orgName, s.roleName]);
        const seen = new Map<string, ServerScripts>();
        readConfigFile(ctx.args[0], { checkScripts: (s) => (seen.set(key(s), s), []) });
        const checked = new Map<string, ScriptDiagnostic[]>();
        for (const [k, s] of seen) checked.set(k, await runner.check(s, { signal: ctx.io.signal }));
        config = readConfigFile(ctx.args[0], { checkScripts: (s) => checked.get(key(s)) ?? [] });
      } finally {
        runner.dispose();
      }
    } else {
      config = readConfigFile(ctx.args[0]);
    }
    const app = ctx.app();
    const dryRun = ctx.flags['dry-run'] === true;
    const result = applyConfig(app.store.db, config, { dryRun, source: resolve(ctx.args[0]) });
    const problems: string[] = [];
    for (const account of result.releasedKeychainAccounts) {
      await app.keychain.delete(account).catch((err: Error) => problems.push(err.message));
    }
    if (ctx.json) {
      const { releasedKeychainAccounts: _released, ...shown } = result;
      ctx.io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    } else {
      ctx.io.stdout(outcomeLines(result));
    }
    for (const p of problems) ctx.io.stderr(`warning: a replaced password could not be removed from the OS keychain: ${p}\n`);
    return 0;
  },
};
