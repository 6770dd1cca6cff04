import type { AppContext } from '../app-context';
import type { CliIo } from './io';

/** One option of a command, as `node:util` parseArgs takes it plus its help text. */
export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
  /** The placeholder shown for a string option's value, e.g. `FILE`. */
  valueName?: string;
  help: string;
  /** Accepted but left out of the help: an option a command refuses with a message of its own. */
  hidden?: boolean;
}

/** What a command receives when it runs. */
export interface CommandContext {
  /** The positional arguments after the command words, one per name in `CommandSpec.args`. */
  args: string[];
  /** Values of the command's own options. */
  flags: Record<string, string | boolean | undefined>;
  /** True with `--json`: print one JSON document on stdout. */
  json: boolean;
  io: CliIo;
  /** Opens the store chosen by `--db` / `LDAP_SYNC_DB` (once; closed when the command ends). */
  app(): AppContext;
}

/** A CLI command: `ldap-sync <group> <name> ARGS... [options]`, or `ldap-sync <group> ARGS...` when `name` is ''. */
export interface CommandSpec {
  group: string;
  /** The second command word; '' for a one-word command such as `preview`. */
  name: string;
  /** Names of the required positional arguments, e.g. ['FILE']. */
  args: readonly string[];
  /** One line for the command list. */
  summary: string;
  /** The longer help text shown by `ldap-sync help <group> <name>`. */
  description: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** Runs the command and returns the exit status. */
  run(ctx: CommandContext): Promise<number>;
  /**
   * Starts what the command will need before the app loads and the store opens (worker threads),
   * so that their start-up overlaps that; must not fail (a problem is left for run() to report).
   */
  warm?(ctx: Pick<CommandContext, 'flags' | 'io'>): Promise<void>;
}
