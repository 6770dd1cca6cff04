import { AppError, knownSystemFailure, type ErrorInfo } from '../../src-shared/errors';
import { UsageError, type CliIo } from './io';
import { terminalSafe } from './terminal-text';
import { usageFor } from './usage';

/** How errors are to be printed. */
export interface ReportOptions {
  json: boolean;
  debug: boolean;
}

function printJson(io: CliIo, error: ErrorInfo): void {
  io.stdout(`${JSON.stringify({ error }, null, 2)}\n`);
}

/**
 * Prints an error and returns the exit status: usage errors 2 (with the relevant usage),
 * AppErrors 1 as `error: <message>` plus one line per field problem, anything else 1 as a
 * one-line message (the stack only with --debug). With --json, `{ "error": { code, message } }` on stdout.
 */
export function reportError(err: unknown, io: CliIo, opts: ReportOptions): number {
  if (err instanceof UsageError) {
    if (opts.json) printJson(io, { code: 'INVALID_INPUT', message: err.message });
    else io.stderr(`error: ${err.message}\n\n${usageFor(err.topic, io.env) ?? usageFor([], io.env)}`);
    return 2;
  }
  if (err instanceof AppError) {
    if (opts.json) printJson(io, err.toInfo());
    else io.stderr(terminalSafe(`error: ${err.message}\n${(err.fields ?? []).map((f) => `  ${f.path}: ${f.message}\n`).join('')}`));
    if (opts.debug && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
  const known = knownSystemFailure(err);
  if (known) return reportError(known, io, opts);
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  if (opts.json) printJson(io, { code: 'INTERNAL', message });
  else io.stderr(terminalSafe(`error: unexpected failure: ${message}\n${opts.debug ? '' : '(run again with --debug to see where it happened)\n'}`));
  if (opts.debug) io.stderr(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
  return 1;
}
