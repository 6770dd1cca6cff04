import type { SignInCode, SignInResult, SignInStep, SignInStepName, SignInUser } from '../../src-shared/domain/sign-in';

/**
 * The timed steps of one sign-in and how it ends. Each step's time runs from the end of the one
 * before (or the start), so the times add up to the whole attempt.
 */
export class StepLog {
  readonly steps: SignInStep[] = [];
  private last = performance.now();

  /** Records a step that just ended. `detail` is shown as is: never put a password in it. */
  add(name: SignInStepName, ok: boolean, detail: string): void {
    const now = performance.now();
    this.steps.push({ name, ok, ms: Math.round((now - this.last) * 10) / 10, detail });
    this.last = now;
  }

  /** The result, with an `outcome` step that repeats the message. */
  end(code: SignInCode, message: string, user: SignInUser | null = null, registered = false): SignInResult {
    const allowed = code === 'OK';
    this.add('outcome', allowed, message);
    return { allowed, code, message, steps: this.steps, user, registered };
  }
}
