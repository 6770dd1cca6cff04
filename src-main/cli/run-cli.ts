import type { AppContext } from '../app-context';
import { resolveStorePath } from '../store/store-path';
import { APP_VERSION } from '../version';
import type { CliIo } from './io';
import { parseInvocation } from './parse-invocation';
import { reportError } from './report-error';
import { stderrSafe, terminalSafe } from './terminal-text';
import { usageFor } from './usage';

/** The flags that decide how errors look, read before the command line is known to be valid. */
function earlyFlags(argv: readonly string[]): { json: boolean; debug: boolean } {
  const end = argv.indexOf('--');
  const flags = end < 0 ? argv : argv.slice(0, end);
  return { json: flags.includes('--json'), debug: flags.includes('--debug') };
}

/**
 * Runs `ldap-sync` with `argv` (without `node` and the script) and returns the exit status:
 * 0 success, 1 failure, 2 usage error (130 for a test cancelled with Ctrl+C).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const early = earlyFlags(argv);
  let app: AppContext | undefined;
  try {
    const inv = parseInvocation(argv);
    if (inv.kind === 'version') {
      io.stdout(`ldap-sync ${APP_VERSION}\n`);
      return 0;
    }
    if (inv.kind === 'help') {
      io.stdout(usageFor(inv.topic, io.env) ?? '');
      return 0;
    }
    const db = typeof inv.flags.db === 'string' ? inv.flags.db : undefined;
    // The app (store, LDAP, scripts) is loaded only for a command that runs: --help and --version
    // stay fast. The import happens before the command, so opening the store stays synchronous.
    await inv.command.warm?.({ flags: inv.flags, io });
    const { createAppContext } = await import('../app-context');
    const json = inv.flags.json === true;
    // Text output carries directory data: control characters in it are printed as visible escapes.
    // (JSON escapes them itself; `snapshot export` streams LDIF, which encodes them in base64.)
    const out: CliIo = { ...io, stdout: json ? io.stdout : (text) => io.stdout(terminalSafe(text)), stderr: (text) => io.stderr(stderrSafe(text)) };
    return await inv.command.run({
      args: inv.args,
      flags: inv.flags,
      json,
      io: out,
      app: () => (app ??= createAppContext({ dbPath: resolveStorePath({ db, env: io.env }), env: io.env, keychain: io.keychain })),
    });
  } catch (err) {
    return reportError(err, io, early);
  } finally {
    app?.close();
  }
}
