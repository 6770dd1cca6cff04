import type { ReactNode } from 'react';
import { formatCount } from './format';

/** Props of {@link ProgressBar}. */
export interface ProgressBarProps {
  /** Names the bar for assistive technology: `${label} progress`. */
  label: string;
  /** The text next to the spinner. */
  heading: ReactNode;
  /** Done so far, 0–1; null for an indeterminate bar. */
  ratio: number | null;
  /** Short facts shown under the bar (and read as the bar's value text); empty while nothing is known. */
  facts: string[];
  /** Null when there is nothing to cancel; no Cancel button then. */
  onCancel: (() => void) | null;
  cancelling: boolean;
  testId?: string;
}

/** A long job's progress: spinner and heading, a Cancel button, the bar and the facts so far. */
export function ProgressBar({ label, heading, ratio, facts, onCancel, cancelling, testId }: ProgressBarProps) {
  return (
    <div className="run-progress" data-testid={testId}>
      <div className="run-progress-head">
        <span className="run-progress-label">
          <span className="spinner" aria-hidden="true" /> {heading}
        </span>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={cancelling}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
      <div
        className={ratio === null ? 'progress-bar progress-indeterminate' : 'progress-bar'}
        role="progressbar"
        aria-label={`${label} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={ratio === null ? undefined : Math.round(ratio * 100)}
        aria-valuetext={facts.join(', ') || 'starting'}
      >
        <div className="progress-fill" style={ratio === null ? undefined : { width: `${(ratio * 100).toFixed(1)}%` }} />
      </div>
      <p className="run-progress-facts muted" aria-live="polite">
        {facts.join(' · ') || 'Waiting for the first page…'}
      </p>
    </div>
  );
}

/** The facts every directory read shares: entries read (out of those expected, when known) and pages. */
export function readFacts(entries: number, expected: number | null, pages: number): string[] {
  return [
    expected !== null ? `${formatCount(entries)} of ~${formatCount(expected)} entries` : `${formatCount(entries)} ${entries === 1 ? 'entry' : 'entries'}`,
    `${formatCount(pages)} ${pages === 1 ? 'page' : 'pages'}`,
  ];
}
