import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../src-shared/errors';

/** Props of {@link ErrorBox}. */
export interface ErrorBoxProps {
  error: ErrorInfo;
  /** Offers a Retry button. */
  onRetry?: () => void;
  /** Offers a Dismiss button. */
  onDismiss?: () => void;
  testId?: string;
  /** Text before the message, e.g. "Simulate failed:". */
  lead?: ReactNode;
  className?: string;
}

/** An error where the admin is looking: the message (selectable), any per-field issues, and its code one glance away. */
export function ErrorBox({ error, onRetry, onDismiss, testId, lead, className }: ErrorBoxProps) {
  return (
    <div role="alert" className={className ? `form-error error-box ${className}` : 'form-error error-box'} data-testid={testId}>
      <div className="error-box-text">
        <p>
          {lead && <strong>{lead} </strong>}
          {error.message}
        </p>
        {(error.fields?.length ?? 0) > 0 && (
          <ul>
            {error.fields!.map((f, i) => (
              <li key={`${f.path}-${i}`}>
                <span className="mono">{f.path}</span>: {f.message}
              </li>
            ))}
          </ul>
        )}
        <p className="muted mono error-code">{error.code}</p>
      </div>
      {(onRetry || onDismiss) && (
        <div className="toolbar">
          {onRetry && (
            <button type="button" onClick={onRetry}>
              Retry
            </button>
          )}
          {onDismiss && (
            <button type="button" onClick={onDismiss}>
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  );
}
