import type { ScriptTestResult } from '../../../src-shared/domain/script-tests';
import { AppError } from '../../../src-shared/errors';
import type { CommandSpec } from '../command';

const oneLine = (text: string) => text.replace(/[\r\n\t]+/g, ' ');

/**
 * Formats one test case as a line: ✓ or ✗, the script, the case's name, then what it returned or
 * what went wrong. Async: the script labels (and zod with them) load only when a test runs.
 */
async function testResultFormatter(): Promise<(r: ScriptTestResult) => string> {
  const { SCRIPT_LABELS, SCRIPT_NAMES } = await import('../../../src-shared/domain/mapping');
  const { formatTestValue } = await import('../../../src-shared/domain/script-tests');
  const width = Math.max(...SCRIPT_NAMES.map((n) => SCRIPT_LABELS[n].length));
  return (r) => {
    const head = `${r.pass ? '✓' : '✗'} ${SCRIPT_LABELS[r.script].padEnd(width)}  ${oneLine(r.name) || '(unnamed)'}`;
    if (r.pass) return `${head}: ${formatTestValue(r.actual)}\n`;
    if (r.error !== undefined) return `${head}: expected ${formatTestValue(r.expected)}, error: ${oneLine(r.error)}\n`;
    return `${head}: expected ${formatTestValue(r.expected)}, got ${formatTestValue(r.actual)}\n`;
  };
}

/** `ldap-sync script test NAME`: runs the server's saved test cases against its saved scripts. */
export const scriptTest: CommandSpec = {
  group: 'script',
  name: 'test',
  args: ['NAME'],
  summary: 'Run the saved test cases of a server\'s scripts',
  description: `Runs every test case saved with the server NAME (in the app, or "scriptTests" in a config
file) against its saved scripts: each case gives one entry to one script (Active, Org name or
Role name) and says what it should return. Organization and role names are compared ignoring case
and surrounding spaces, as the sync matches them; the order of roles does not matter. Prints one
line per case (✓ passed, ✗ failed, with the expected and the actual result or the script's
error), then a summary. So scripts and their test cases can live in version control, checked in CI:
  ldap-sync config apply servers.json && ldap-sync script test Corp

Exit status: 0 when every case passed, 1 when one failed. A server without test cases is a
failure too (a check that checks nothing should not pass silently), unless --allow-empty.
With --json, prints { "server", "total", "passed", "failed", "results": [ { "id", "script",
"name", "pass", "expected", "actual"?, "error"? } ] }.`,
  options: {
    'allow-empty': { type: 'boolean', help: 'Succeed (exit 0) when the server has no test cases' },
  },
  async run(ctx) {
    const app = ctx.app();
    const server = app.servers.byName(ctx.args[0]);
    const cases = server.scriptTests;
    if (cases.length === 0 && ctx.flags['allow-empty'] !== true) {
      throw new AppError(
        'NOT_FOUND',
        `"${server.name}" has no saved script test cases: nothing was checked. Add some in the app or with "scriptTests" in a config file, or pass --allow-empty.`,
      );
    }
    const { runScriptTests } = await import('../../scripts/test-cases');
    const { normalizeScripts } = await import('../../services/script-checks');
    const results = cases.length ? await runScriptTests(await app.scriptEngine(), normalizeScripts(server.scripts), cases) : [];
    const passed = results.filter((r) => r.pass).length;
    const failed = results.length - passed;
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ server: server.name, total: results.length, passed, failed, results }, null, 2)}\n`);
    } else if (results.length === 0) {
      ctx.io.stdout(`"${server.name}" has no saved script test cases: nothing to check.\n`);
    } else {
      const n = (k: number) => k.toLocaleString('en-US');
      ctx.io.stdout(
        `Script test cases of "${server.name}":\n${results.map(await testResultFormatter()).join('')}\n` +
          `${failed === 0 ? `All ${n(results.length)} passed.` : `${n(failed)} of ${n(results.length)} failed, ${n(passed)} passed.`}\n`,
      );
    }
    return failed === 0 ? 0 : 1;
  },
};
