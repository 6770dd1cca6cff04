import { DEFAULT_PAGE_SIZE } from '../../../src-shared/domain/page-size';
import type { CommandSpec } from '../command';
import { lastTestSummary, passwordSource, table } from '../format-server';

/** `ldap-sync server list`: the saved servers with their password source and last test. */
export const serverList: CommandSpec = {
  group: 'server',
  name: 'list',
  args: [],
  summary: 'List the saved servers and their last test',
  description: `Lists the saved servers: name, URL, page size (entries per page of every paged read;
config key "pageSize", default 1000), where the bind password comes from (OS keychain,
environment variable, file, none) and the outcome of the last connection test.
With --json, prints the servers as an array (no secrets: only where each password lives).`,
  options: {},
  async run(ctx) {
    const servers = ctx.app().servers.list();
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify(servers, null, 2)}\n`);
      return 0;
    }
    if (servers.length === 0) {
      ctx.io.stdout('No servers yet. Add some with: ldap-sync config apply FILE\n');
      return 0;
    }
    const rows = [['NAME', 'URL', 'PAGE SIZE', 'PASSWORD', 'LAST TEST'], ...servers.map((s) => [s.name, s.url, String(s.pageSize ?? DEFAULT_PAGE_SIZE), passwordSource(s), lastTestSummary(s.lastTest)])];
    ctx.io.stdout(table(rows));
    return 0;
  },
};
