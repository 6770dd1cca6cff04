import { formatCount } from './format';

/** Props of {@link Pager}. */
export interface PagerProps {
  offset: number;
  limit: number;
  total: number;
  onOffset: (offset: number) => void;
  /** "runs", "users": what is counted. */
  noun: string;
  /** The singular, "run", "user". */
  nounOne: string;
  testId?: string;
}

/** "1–50 of 1,234 users" (or "30 users" on a single page) with Previous / Next. */
export function Pager({ offset, limit, total, onOffset, noun, nounOne, testId }: PagerProps) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  const counted = `${formatCount(total)} ${total === 1 ? nounOne : noun}`;
  let text = `${formatCount(first)}–${formatCount(last)} of ${counted}`;
  if (total === 0) text = `No ${noun}`;
  else if (offset === 0 && total <= limit) text = counted;
  if (offset === 0 && total <= limit) {
    return (
      <span className="pager-text" data-testid={testId} aria-live="polite">
        {text}
      </span>
    );
  }
  return (
    <div className="pager">
      <button type="button" onClick={() => onOffset(Math.max(0, offset - limit))} disabled={offset === 0}>
        Previous
      </button>
      <span className="pager-text" data-testid={testId} aria-live="polite">
        {text}
      </span>
      <button type="button" onClick={() => onOffset(offset + limit)} disabled={last >= total}>
        Next
      </button>
    </div>
  );
}
