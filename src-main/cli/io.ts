import type { Keychain } from '../secrets/keychain';

/** Where the CLI writes and what it reads from its surroundings; `main.ts` binds it to the process. */
export interface CliIo {
  /** Writes text to standard output as is. */
  stdout(text: string): void;
  /**
   * Standard output as a stream, for commands that write a lot (`snapshot export`): they wait for
   * it to drain instead of buffering. Without it, such commands write through `stdout`.
   */
  stdoutStream?: NodeJS.WritableStream;
  /** Writes text to standard error as is. */
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Aborted on Ctrl+C (and SIGTERM); long-running commands stop when it fires. */
  signal?: AbortSignal;
  /** True when standard error is a terminal: sync runs then show their progress there. */
  stderrIsTTY?: boolean;
  /** The keychain to use instead of the system one (tests). */
  keychain?: Keychain;
  /**
   * Reads one line from standard input (without its line end), or null at end of input: how
   * `--password-stdin` takes a password (never from the command line, where `ps` and shell
   * history would show it). Absent where there is no standard input.
   */
  readStdinLine?: () => Promise<string | null>;
}

/** A mistake in the command line itself: reported with the relevant usage text, exit status 2. */
export class UsageError extends Error {
  /** The command (or group) whose usage to print: [] for the whole CLI, ['config'], ['config', 'apply']… */
  readonly topic: readonly string[];
  constructor(message: string, topic: readonly string[] = []) {
    super(message);
    this.name = 'UsageError';
    this.topic = topic;
  }
}
