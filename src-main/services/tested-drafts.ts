import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { LastTest, PasswordInput, ServerDraft } from '../../src-shared/domain/server';
import { targetFromDraft } from '../ldap/target';

/** How long a test of form values counts for a save of the same values: 30 minutes. */
export const TESTED_DRAFT_TTL_MS = 30 * 60_000;
const MAX_REMEMBERED = 20;

/**
 * The last connection tests of unsaved form values, kept in memory so that saving exactly what was
 * tested records the result: a server tested, then saved, is no longer "Not tested yet".
 *
 * A test is keyed by the connection part of the form (URL, bind, filter, timeout, certificates:
 * what the doctor used) and the password it ran with. A typed password enters the key only as an
 * HMAC under a key made for this process, so the secret itself is neither kept nor comparable
 * across processes.
 */
export class TestedDrafts {
  private readonly entries = new Map<string, { lastTest: LastTest; recordedAt: number }>();
  private readonly secretKey = randomBytes(32);

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Remembers a test of `draft` with `password` (for the server `serverId`, or a new one). */
  remember(serverId: string | null, draft: ServerDraft, password: PasswordInput, lastTest: LastTest): void {
    const key = this.key(serverId, draft, password);
    if (key === null) return;
    this.entries.delete(key);
    this.entries.set(key, { lastTest, recordedAt: this.now().getTime() });
    // Oldest first in a Map: drop beyond the most recent few.
    while (this.entries.size > MAX_REMEMBERED) this.entries.delete(this.entries.keys().next().value as string);
  }

  /**
   * The result of a recent test of exactly these values, or null. A server being created was tested
   * without an id; an existing one with its id (its stored password is part of what was tested).
   */
  take(serverId: string | null, draft: ServerDraft, password: PasswordInput): LastTest | null {
    const key = this.key(serverId, draft, password);
    if (key === null) return null;
    const hit = this.entries.get(key);
    if (!hit) return null;
    this.entries.delete(key);
    return this.now().getTime() - hit.recordedAt <= TESTED_DRAFT_TTL_MS ? hit.lastTest : null;
  }

  private key(serverId: string | null, draft: ServerDraft, password: PasswordInput): string | null {
    let target: unknown;
    try {
      target = targetFromDraft(draft);
    } catch {
      return null; // Values the doctor refused are never saved either.
    }
    const pw =
      password.kind === 'value'
        ? { kind: 'value', mac: createHmac('sha256', this.secretKey).update(password.value).digest('hex') }
        : password.kind === 'keep'
          ? { kind: 'keep', serverId }
          : password;
    return createHash('sha256').update(JSON.stringify({ serverId, target, pw })).digest('hex');
  }
}
