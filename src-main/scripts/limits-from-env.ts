import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits } from '../../src-shared/domain/scripts';
import { AppError } from '../../src-shared/errors';

/** Environment variables that set the script limits for the app and the CLI alike. */
export const SCRIPT_LIMIT_ENV = {
  timeMs: 'LDAP_SYNC_SCRIPT_TIME_MS',
  memoryBytes: 'LDAP_SYNC_SCRIPT_MEMORY_MB',
} as const;

function readInt(env: NodeJS.ProcessEnv, name: string, min: number, max: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('INVALID_INPUT', `${name} must be a whole number from ${min} to ${max} (it is "${raw}"). Fix or unset it.`);
  }
  return n;
}

/**
 * The script limits: defaults (250 ms per script call, 64 MiB) unless `LDAP_SYNC_SCRIPT_TIME_MS`
 * (10..60000) or `LDAP_SYNC_SCRIPT_MEMORY_MB` (16..1024) say otherwise.
 */
export function scriptLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): ScriptLimits {
  const timeMs = readInt(env, SCRIPT_LIMIT_ENV.timeMs, 10, 60_000);
  const memoryMb = readInt(env, SCRIPT_LIMIT_ENV.memoryBytes, 16, 1024);
  return {
    ...DEFAULT_SCRIPT_LIMITS,
    ...(timeMs !== undefined ? { timeMs } : {}),
    ...(memoryMb !== undefined ? { memoryBytes: memoryMb * 1024 * 1024 } : {}),
  };
}
