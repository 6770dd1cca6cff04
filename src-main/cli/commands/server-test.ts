import type { StageResult } from '../../../src-shared/domain/doctor';
import type { CommandSpec } from '../command';
import { doctorPassed, isPlainLdap } from '../doctor-verdict';
import { formatStage, formatSummary } from '../format-stage';

/** The exit status of a test cancelled with Ctrl+C (128 + SIGINT), as shells report it. */
export const CANCELLED_EXIT = 130;

/** `ldap-sync server test NAME`: runs the connection doctor on a saved server. */
export const serverTest: CommandSpec = {
  group: 'server',
  name: 'test',
  args: ['NAME'],
  summary: 'Run the connection doctor on a saved server',
  description: `Runs the connection doctor on the saved server NAME (matched ignoring case) with its stored
password: name resolution, TCP connect, TLS, bind, search base and the number of entries the search
filter matches. Each stage is printed as it completes (✓ passed, ✗ failed, – skipped), then a summary.
The outcome is recorded as the server's last test.

Exit status: 0 when every stage passed (on a plain ldap:// server without StartTLS the skipped TLS
stage is only a warning), 1 when a stage failed, 130 when cancelled with Ctrl+C.
With --json, prints the whole report: reachable, bindable, matches, stages, error…`,
  options: {},
  async run(ctx) {
    const { draftOfView } = await import('../../../src-shared/domain/server');
    const app = ctx.app();
    const server = app.servers.byName(ctx.args[0]);
    const plain = isPlainLdap(server);
    if (!ctx.json) ctx.io.stdout(`Testing "${server.name}" (${server.url})\n`);
    let failed = false;
    const printStage = (stage: StageResult) => {
      ctx.io.stdout(formatStage(stage, plain, failed));
      failed ||= stage.ok === false;
    };
    const report = await app.servers.test({
      serverId: server.id,
      draft: draftOfView(server),
      password: { kind: 'keep' },
      signal: ctx.io.signal,
      onStage: ctx.json ? undefined : printStage,
    });
    const passed = doctorPassed(report, server);
    if (ctx.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else ctx.io.stdout(formatSummary(report, passed));
    if (report.error?.code === 'CANCELLED') return CANCELLED_EXIT;
    return passed ? 0 : 1;
  },
};
