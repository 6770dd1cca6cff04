import { formatCount } from './format';

/** Props of {@link Pager}. */
export interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
  /** "runs", "users": what is counted. */
  noun: string;
  testId?: string;
}

/** "1–50 of 1,234 users" with Previous / Next. */
export function Pager({ offset, limit, total, onOffset, noun, testId }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <div className="pager">
      <button type="button" onClick={() => onOffset(Math.max(0, offset - limit))} disabled={offset === 0}>
        Previous
      </button>
      <span className="pager-text" data-testid={testId} aria-live="polite">
        {total === 0 ? `No ${noun}` : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)} ${noun}`}
      </span>
      <button type="button" onClick={() => onOffset(offset + limit)} disabled={last >= total}>
        Next
      </button>
    </div>
  );
}
