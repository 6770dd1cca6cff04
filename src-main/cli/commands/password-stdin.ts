import type { CommandContext } from '../command';
import { UsageError } from '../io';

/** The `--password-stdin` option: passwords are read from standard input, never from the command line. */
export const PASSWORD_STDIN_OPTION = {
  type: 'boolean',
  help: 'Read the password from the first line of standard input (pipe it: printf %s "$PW" | ...)',
} as const;

/**
 * The password from the first line of standard input (its line end cut, spaces kept). Usage error
 * without `--password-stdin` (a password is never an argument: `ps` and shell history would show
 * it) or when standard input is empty.
 */
export async function passwordFromStdin(ctx: CommandContext, topic: string[]): Promise<string> {
  if (ctx.flags['password-stdin'] !== true) throw new UsageError('the password is read from standard input: add --password-stdin and pipe it in', topic);
  const line = ctx.io.readStdinLine ? await ctx.io.readStdinLine() : null;
  if (line === null) throw new UsageError('--password-stdin: standard input is empty; pipe the password in', topic);
  return line;
}
