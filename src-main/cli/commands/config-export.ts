import type { CommandSpec } from '../command';

/** `ldap-sync config export`: prints the configuration as a file `config apply` accepts, without secrets. */
export const configExport: CommandSpec = {
  group: 'config',
  name: 'export',
  args: [],
  summary: 'Print the configuration as a config file (no secrets)',
  description: `Prints the saved servers, organizations, roles and sync settings as JSON in the shape
"config apply" reads, so
  ldap-sync config export > config.json
  ldap-sync --db other.sqlite config apply config.json
copies them (users and sync history are not part of the configuration). Passwords are never exported: environment-variable and file references are kept,
and servers whose password is in the OS keychain are listed on stderr; add a "bindPassword"
reference for them before applying the file elsewhere. Trusted certificates are exported as PEM.
Each server's "offline", "snapshot" (by name) and "scriptTests" are exported too. Snapshots are
data, not configuration: the ones servers use are listed on stderr, with the commands that copy
them (another store refuses a "snapshot" it does not have). The bundled sample's server and
organizations are exported like any other.`,
  options: {},
  async run(ctx) {
    const { exportConfig } = await import('../../config/export');
    const { shellWord } = await import('../format-sync');
    const { config, keychainServers, snapshots } = exportConfig(ctx.app().store.db);
    ctx.io.stdout(`${JSON.stringify(config, null, 2)}\n`);
    if (keychainServers.length) {
      const names = keychainServers.map((n) => `"${n}"`).join(', ');
      ctx.io.stderr(
        `warning: the bind password of ${names} is in the OS keychain and was not exported. ` +
          'Add "bindPassword": { "env": NAME } or { "file": PATH } to these servers before applying the file elsewhere.\n',
      );
    }
    for (const s of snapshots) {
      const file = `${s.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'snapshot'}.ldif`;
      ctx.io.stderr(
        `note: ${s.servers.map((n) => `"${n}"`).join(', ')} ${s.servers.length === 1 ? 'uses' : 'use'} the snapshot "${s.name}", which is not part of the configuration. ` +
          `To apply the file to another store, copy it first: ldap-sync snapshot export ${shellWord(s.name)} --output ${shellWord(file)}, ` +
          `then: ldap-sync --db OTHER snapshot import ${shellWord(file)} --name ${shellWord(s.name)}\n`,
      );
    }
    return 0;
  },
};
