import { memo, useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { PlanChange, PlanFilter } from '../../../src-shared/domain/sync';
import { downloadText } from '../../ui/download';
import { ErrorBox } from '../../ui/ErrorBox';
import { formatCount } from '../../ui/format';
import { useDebounced } from '../../ui/use-debounced';
import { ReusedUsernameDialog } from './ReusedUsernameDialog';
import { ACTION_LABELS, ActionBadge, PLAN_FILTER_LIST } from './run-format';
import { usePlanRows } from './use-plan-rows';

/** Fixed row height (px): the table only renders the rows in view. */
const ROW_HEIGHT = 28;
/** Rows rendered above and below the visible ones. */
const OVERSCAN = 12;

/** Props of {@link PlanView}. */
export interface PlanViewProps {
  runId: string;
  /** Lets a parent move the keyboard focus into the table (e.g. after "Review plan"). */
  focusRef?: RefObject<HTMLDivElement | null>;
}

/** "from → to", "→ to" or "from". */
function FromTo({ row }: { row: PlanChange }) {
  if (row.from === undefined && row.to === undefined) return <span className="muted">—</span>;
  return (
    <>
      {row.from !== undefined && <span className="plan-from">{row.from}</span>}
      {row.from !== undefined && row.to !== undefined && <span className="muted"> → </span>}
      {row.from === undefined && <span className="muted">→ </span>}
      {row.to !== undefined && <span className="plan-to">{row.to}</span>}
    </>
  );
}

function fromToTitle(row: PlanChange): string | undefined {
  if (row.from === undefined && row.to === undefined) return undefined;
  return `${row.from ?? ''}${row.from !== undefined && row.to !== undefined ? ' → ' : ''}${row.to ?? ''}`;
}

const PlanRow = memo(function PlanRow({ row, index, onRelink }: { row: PlanChange | undefined; index: number; onRelink: (row: PlanChange) => void }) {
  const style = { transform: `translateY(${index * ROW_HEIGHT}px)` };
  if (!row) {
    return (
      <div className="plan-row plan-row-loading" role="row" aria-rowindex={index + 2} style={style}>
        <div role="cell" className="plan-cell muted">
          Loading…
        </div>
      </div>
    );
  }
  return (
    <div className="plan-row" role="row" aria-rowindex={index + 2} style={style} data-testid="plan-row" data-action={row.action} data-username={row.username ?? ''}>
      <div role="cell" className="plan-cell mono" title={row.username ?? undefined}>
        {row.username ?? <span className="muted">(no username)</span>}
      </div>
      <div role="cell" className="plan-cell">
        <ActionBadge action={row.action} />
      </div>
      <div role="cell" className="plan-cell" title={fromToTitle(row)}>
        <FromTo row={row} />
      </div>
      <div role="cell" className={row.action === 'error' ? 'plan-cell bad' : 'plan-cell'} title={row.reason}>
        {row.action === 'reused' && row.userId && (
          <button type="button" className="link plan-relink" onClick={() => onRelink(row)} data-testid="plan-relink" title="Same person (relink) or someone else (release the name)?">
            Decide…
          </button>
        )}
        {row.reason ?? ''}
      </div>
      <div role="cell" className="plan-cell mono muted" title={row.dn ?? undefined}>
        {row.dn ?? '—'}
      </div>
    </div>
  );
});

/**
 * A run's plan: one row per change, filtered by action (chips with the whole plan's counts) and searched
 * by username or DN; virtualised (fixed row height, only the rows in view are rendered, fetched in
 * blocks) so a 100k-row plan scrolls smoothly. Export CSV / JSON saves the whole plan. A reused
 * username's row offers Relink or Release (see ReusedUsernameDialog).
 */
export function PlanView({ runId, focusRef }: PlanViewProps) {
  const [filter, setFilter] = useState<PlanFilter>('all');
  const [searchText, setSearchText] = useState('');
  const settledSearch = useDebounced(searchText.trim(), 250);
  const search = settledSearch === '' ? null : settledSearch;
  const plan = usePlanRows(runId, filter, search);
  const [exporting, setExporting] = useState<'csv' | 'json' | null>(null);
  const [exportError, setExportError] = useState<ErrorInfo | null>(null);
  const [relinking, setRelinking] = useState<PlanChange | null>(null);
  const searchId = useId();
  const tableLabelId = useId();

  const ownRef = useRef<HTMLDivElement>(null);
  const viewport = focusRef ?? ownRef;
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);

  useLayoutEffect(() => {
    const el = viewport.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, [viewport]);

  // A new run, filter or search starts at the top.
  useEffect(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, [runId, filter, search, viewport]);

  const total = plan.total ?? 0;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(total - 1, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const { ensure } = plan;
  useEffect(() => {
    if (plan.total !== null) ensure(first, last);
  }, [ensure, first, last, plan.total]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    const page = Math.max(ROW_HEIGHT, el.clientHeight - 2 * ROW_HEIGHT);
    const moves: Record<string, number> = { ArrowDown: ROW_HEIGHT, ArrowUp: -ROW_HEIGHT, PageDown: page, PageUp: -page };
    if (e.key in moves) el.scrollTop += moves[e.key];
    else if (e.key === 'Home' && !e.shiftKey) el.scrollTop = 0;
    else if (e.key === 'End' && !e.shiftKey) el.scrollTop = el.scrollHeight;
    else return;
    e.preventDefault();
  };

  const exportAs = useCallback(
    async (format: 'csv' | 'json') => {
      setExporting(format);
      setExportError(null);
      try {
        const file = await call('history.export', { runId, format });
        downloadText(file.filename, file.text, format === 'csv' ? 'text/csv' : 'application/json');
      } catch (e) {
        setExportError(errorInfoOf(e));
      } finally {
        setExporting(null);
      }
    },
    [runId],
  );

  const counts = plan.byAction;
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : null;
  const rows: ReactNode[] = [];
  if (plan.total !== null) for (let i = first; i <= last; i++) rows.push(<PlanRow key={i} index={i} row={plan.rowAt(i)} onRelink={setRelinking} />);

  let status = '';
  if (plan.total === null) status = 'Loading the plan…';
  else if (search || filter !== 'all') status = `${formatCount(total)} of ${formatCount(all ?? total)} changes shown`;
  else status = `${formatCount(total)} ${total === 1 ? 'change' : 'changes'}`;

  return (
    <div className="plan-view" data-testid="plan-view" data-run-id={runId}>
      <div className="plan-toolbar">
        <div className="chips" role="group" aria-label="Show changes of one kind">
          {PLAN_FILTER_LIST.map((f) => {
            const n = f === 'all' ? all : (counts?.[f] ?? null);
            return (
              <button
                key={f}
                type="button"
                className={filter === f ? 'chip chip-on' : 'chip'}
                aria-pressed={filter === f}
                disabled={n === 0 && filter !== f && f !== 'all'}
                onClick={() => setFilter(f)}
                data-testid={`plan-chip-${f}`}
              >
                {f === 'all' ? 'All' : ACTION_LABELS[f]} <span className="chip-count">{n === null ? '…' : formatCount(n)}</span>
              </button>
            );
          })}
        </div>
        <div className="plan-search">
          <label htmlFor={searchId} className="visually-hidden">
            Search username or DN
          </label>
          <input
            id={searchId}
            type="search"
            placeholder="Search username or DN"
            autoComplete="off"
            spellCheck={false}
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                viewport.current?.focus();
              }
            }}
          />
        </div>
        <div className="toolbar">
          <button type="button" onClick={() => void exportAs('csv')} disabled={exporting !== null}>
            {exporting === 'csv' ? 'Exporting…' : 'Export CSV'}
          </button>
          <button type="button" onClick={() => void exportAs('json')} disabled={exporting !== null}>
            {exporting === 'json' ? 'Exporting…' : 'Export JSON'}
          </button>
        </div>
      </div>
      {relinking && <ReusedUsernameDialog change={relinking} onClose={() => setRelinking(null)} />}
      {exportError && <ErrorBox error={exportError} lead="Export failed:" onDismiss={() => setExportError(null)} />}
      {plan.error && <ErrorBox error={plan.error} lead="Could not load the plan:" onRetry={plan.retry} />}
      <p className="plan-status muted" role="status" data-testid="plan-status">
        {status}
      </p>
      <div
        ref={viewport}
        className="plan-viewport"
        role="table"
        aria-labelledby={tableLabelId}
        aria-rowcount={total + 1}
        tabIndex={0}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        onKeyDown={onKeyDown}
      >
        <span id={tableLabelId} className="visually-hidden">
          Planned changes (arrow keys, Page Up and Page Down scroll)
        </span>
        <div className="plan-row plan-head" role="row" aria-rowindex={1}>
          <div role="columnheader" className="plan-cell">
            Username
          </div>
          <div role="columnheader" className="plan-cell">
            Action
          </div>
          <div role="columnheader" className="plan-cell">
            From → to
          </div>
          <div role="columnheader" className="plan-cell">
            Reason
          </div>
          <div role="columnheader" className="plan-cell">
            DN
          </div>
        </div>
        <div className="plan-body" role="rowgroup" style={{ height: total * ROW_HEIGHT }}>
          {rows}
        </div>
        {plan.total === 0 && (
          <p className="plan-empty muted" data-testid="plan-empty">
            {search || filter !== 'all' ? 'No change matches this filter and search.' : 'No changes: every user already matches the directory.'}
          </p>
        )}
      </div>
    </div>
  );
}
