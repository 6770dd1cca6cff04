import { useState, type FormEvent } from 'react';
import { PREVIEW_PAGE_SIZES, type UsernameMatch } from '../../../src-shared/domain/preview';
import { formatCount } from '../../ui/format';
import type { Preview } from './use-preview';

const MATCH_LABELS: Record<UsernameMatch, string> = { exact: 'Is exactly', prefix: 'Begins with', contains: 'Contains' };

/** The username search (and how it matches), the page size and the "rows with problems only" filter, above the table. */
export function PreviewControls({ preview }: { preview: Preview }) {
  return (
    <div className="preview-controls">
      <div className="field">
        <label htmlFor="preview-search" className="field-label">
          Username search
        </label>
        <div className="preview-search-row">
          <select id="preview-search-match" aria-label="How to match" value={preview.match} onChange={(e) => preview.setMatch(e.target.value as UsernameMatch)}>
            {(Object.keys(MATCH_LABELS) as UsernameMatch[]).map((m) => (
              <option key={m} value={m}>
                {MATCH_LABELS[m]}
              </option>
            ))}
          </select>
          <input
            id="preview-search"
            type="search"
            autoComplete="off"
            spellCheck={false}
            className="mono"
            placeholder="e.g. jsmith"
            aria-describedby="preview-search-help"
            value={preview.searchText}
            onChange={(e) => preview.setSearchText(e.target.value)}
          />
        </div>
        <p id="preview-search-help" className="field-help">
          Replaces <code>?</code> in the filter; what you type matches literally (<code>*</code>, <code>(</code> and <code>)</code> too).
        </p>
      </div>
      <div className="field">
        <label htmlFor="preview-page-size" className="field-label">
          Page size
        </label>
        <select id="preview-page-size" value={preview.pageSize} onChange={(e) => preview.setPageSize(Number(e.target.value))}>
          {PREVIEW_PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
      <label className="checkbox preview-problems-only">
        <input type="checkbox" checked={preview.problemsOnly} onChange={(e) => preview.setProblemsOnly(e.target.checked)} />
        Rows with problems only
      </label>
    </div>
  );
}

/** Props of {@link PreviewPager}. */
export interface PreviewPagerProps {
  preview: Preview;
  /** Which of the two pagers (above or below the table): names its controls apart. */
  position: 'top' | 'bottom';
  /** The preview failed: paging would only repeat the failure. */
  disabled: boolean;
}

/** First / Previous / "Page [N] of M" (type a page and press Enter) / Next / Last. */
export function PreviewPager({ preview, position, disabled }: PreviewPagerProps) {
  const { result, page } = preview;
  const pages = result && result.total !== null ? Math.max(1, Math.ceil(result.total / result.pageSize)) : null;
  const hasMore = result ? result.hasMore : false;
  const settled = result?.page === page;
  const [typed, setTyped] = useState<string | null>(null);
  const jump = (e: FormEvent) => {
    e.preventDefault();
    // The pager is its own form: Enter here never submits a form around the pane.
    e.stopPropagation();
    const n = Number(typed);
    setTyped(null);
    if (!Number.isInteger(n) || n < 1) return;
    preview.setPage(pages !== null ? Math.min(n, pages) : n);
  };
  const id = `preview-page-${position}`;
  return (
    <nav className="pager preview-pager" aria-label={position === 'top' ? 'Preview pages' : 'Preview pages (below the table)'} data-testid={`preview-pager-${position}`}>
      <button type="button" disabled={disabled || page <= 1} onClick={() => preview.setPage(1)} aria-label="First page" title="First page">
        «
      </button>
      <button type="button" disabled={disabled || page <= 1} onClick={() => preview.setPage(Math.max(1, page - 1))}>
        Previous page
      </button>
      <form className="pager-jump" onSubmit={jump}>
        <label htmlFor={id}>Page</label>
        <input
          id={id}
          type="number"
          min={1}
          max={pages ?? undefined}
          inputMode="numeric"
          className="pager-input"
          disabled={disabled}
          value={typed ?? String(page)}
          onChange={(e) => setTyped(e.target.value)}
          onBlur={() => setTyped(null)}
        />
        <span className="pager-text">{pages !== null ? `of ${formatCount(pages)}` : ''}</span>
      </form>
      {position === 'top' && (
        <span className="visually-hidden" role="status" data-testid="preview-page">
          {`Page ${page}${pages !== null ? ` of ${pages}` : ''}`}
        </span>
      )}
      <button type="button" disabled={disabled || !hasMore || !settled} onClick={() => preview.setPage(page + 1)}>
        Next page
      </button>
      <button type="button" disabled={disabled || pages === null || page >= pages} onClick={() => pages !== null && preview.setPage(pages)} aria-label="Last page" title="Last page">
        »
      </button>
    </nav>
  );
}
