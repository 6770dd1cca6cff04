import { PREVIEW_PAGE_SIZES } from '../../../src-shared/domain/preview';
import type { Preview } from './use-preview';

/** The username search and the page size, above the table. */
export function PreviewControls({ preview }: { preview: Preview }) {
  return (
    <div className="preview-controls">
      <div className="field">
        <label htmlFor="preview-search" className="field-label">
          Username search
        </label>
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
        <p id="preview-search-help" className="field-help">
          Replaces <code>?</code> in the filter; <code>*</code>, <code>(</code> and <code>)</code> match literally.
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
    </div>
  );
}

/** Previous / Next and "Page N of M" (M when the total is known). */
export function PreviewPager({ preview }: { preview: Preview }) {
  const { result, page } = preview;
  const pages = result && result.total !== null ? Math.max(1, Math.ceil(result.total / result.pageSize)) : null;
  const hasMore = result ? result.hasMore : false;
  return (
    <nav className="pager" aria-label="Preview pages">
      <button type="button" disabled={page <= 1} onClick={() => preview.setPage(Math.max(1, page - 1))}>
        Previous page
      </button>
      <span className="pager-text" data-testid="preview-page">
        Page {page}
        {pages !== null && <> of {pages}</>}
      </span>
      <button type="button" disabled={!hasMore || result?.page !== page} onClick={() => preview.setPage(page + 1)}>
        Next page
      </button>
    </nav>
  );
}
