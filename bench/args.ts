/**
 * Parses `--name N` / `--name=N` positive-integer flags for a bench script; `--help` prints usage.
 * Unknown flags are errors.
 */
export function parseIntArgs<T extends Record<string, number>>(argv: string[], defaults: T, usage: string): T {
  const out: Record<string, number> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const name = flag.replace(/^--/, '');
    if (!flag.startsWith('--') || !(name in defaults)) throw new Error(`unknown argument "${argv[i]}" (try --help)`);
    const v = inline ?? argv[++i];
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got "${v}"`);
    out[name] = n;
  }
  return out as T;
}
