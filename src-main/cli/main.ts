import { runCli } from './run-cli';

/** The first line of `input` (without CR LF), or null when it ends before any byte; stops reading there (at most 64 KiB). */
function readStdinLine(input: NodeJS.ReadStream): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let text = '';
    let got = false;
    const done = (value: string | null, err?: Error) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.off('error', onError);
      input.pause();
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      got = true;
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) done(text.slice(0, nl).replace(/\r$/, ''));
      else if (text.length > 65_536) done(null, new Error('standard input has no line end within 64 KiB'));
    };
    const onEnd = () => done(got ? text.replace(/\r$/, '') : null);
    const onError = (err: Error) => done(null, err);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.on('end', onEnd);
    input.on('error', onError);
    input.resume();
  });
}

/** Binds the CLI to this process: argv, stdout/stderr, environment, Ctrl+C and the exit status. */
async function main(): Promise<void> {
  const controller = new AbortController();
  const onSigint = () => {
    // The first Ctrl+C cancels the running command cleanly; a second one quits at once.
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  // SIGTERM (a service manager stopping `ldap-sync daemon`) stops as cleanly as Ctrl+C.
  const onSigterm = () => {
    if (controller.signal.aborted) process.exit(143);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  // A closed pipe (`ldap-sync server list | head -1`) is not an error worth a stack trace; output
  // that cannot be written (`> file` on a full disk) is said once, on stderr, and fails the command.
  let outputFailed: string | null = null;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || outputFailed !== null) return;
      outputFailed = err.code === 'ENOSPC' ? 'the disk is full' : err.message;
    });
  }
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stdoutStream: process.stdout,
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    signal: controller.signal,
    stderrIsTTY: process.stderr.isTTY === true,
    readStdinLine: () => readStdinLine(process.stdin),
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  // A command that stopped on the failed write has said so already; one that did not learn of it has not.
  if (outputFailed !== null && code === 0) process.stderr.write(`error: the output could not be written (${outputFailed}); what was written is incomplete.\n`);
  const status = outputFailed !== null && code === 0 ? 1 : code;
  process.exitCode = status;
  // Output is flushed by now; if a stray handle kept the process alive, do not hang the shell.
  setTimeout(() => process.exit(status), 2000).unref();
}

/**
 * The running CLI: settles once the command is done. (The built CLI is CommonJS, which has no
 * top-level await: its launcher, dist/cli/ldap-sync.js, awaits this instead.)
 */
export const done: Promise<void> = main();
