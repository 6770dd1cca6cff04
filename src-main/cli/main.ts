import { runCli } from './run-cli';

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
  // A closed pipe (`ldap-sync server list | head -1`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  const code = await runCli(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stdoutStream: process.stdout,
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    signal: controller.signal,
    stderrIsTTY: process.stderr.isTTY === true,
  });
  process.off('SIGINT', onSigint);
  process.off('SIGTERM', onSigterm);
  process.exitCode = code;
  // Output is flushed by now; if a stray handle kept the process alive, do not hang the shell.
  setTimeout(() => process.exit(code), 2000).unref();
}

await main();
