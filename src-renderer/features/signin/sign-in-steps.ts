// How the Test sign-in panel names and splits the steps main reports (display only).
import type { SignInStep, SignInStepName } from '../../../src-shared/domain/sign-in';

/** The admin's words for each step main reports. */
export const STEP_LABELS: Record<SignInStepName, string> = {
  organization: 'Organization and server',
  search: 'Search',
  dn: 'DN found',
  bind: 'Bind',
  scripts: 'Scripts',
  'local password': 'Local password',
  account: 'Account',
  registration: 'Registration',
  outcome: 'Outcome',
};

/** A step's text and, for the search, its equivalent ldapsearch line (null when it has none). */
export interface StepText {
  text: string;
  ldapsearch: string | null;
}

/**
 * Splits a step's detail: the search step carries its ldapsearch line after the summary line, and
 * the panel shows that line with a Copy button instead of inline.
 */
export function stepText(step: SignInStep): StepText {
  const lines = step.detail.split('\n');
  const at = lines.findIndex((l) => l.startsWith('ldapsearch '));
  if (step.name !== 'search' || at < 0) return { text: step.detail, ldapsearch: null };
  return { text: lines.filter((_, i) => i !== at).join('\n'), ldapsearch: lines[at] };
}

/** A step's time, e.g. "12.5 ms" or "1.2 s". */
export function stepTime(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  const tenths = Math.round(ms * 10) / 10;
  return tenths < 10 ? `${tenths.toFixed(1)} ms` : `${Math.round(tenths)} ms`;
}
