import { AppError } from '../../src-shared/errors';
import { DeadlineError, type LdapPhase } from './ldap-errors';

/**
 * Races a promise against a deadline and a cancel signal. On either, `onGiveUp` runs (to close
 * sockets) and the promise rejects with DeadlineError or a CANCELLED AppError.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, phase: LdapPhase, signal?: AbortSignal, onGiveUp?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () =>
      finish(() => {
        onGiveUp?.();
        reject(new AppError('CANCELLED', 'Cancelled by the admin.'));
      });
    const timer = setTimeout(
      () =>
        finish(() => {
          onGiveUp?.();
          reject(new DeadlineError(phase));
        }),
      ms,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}
