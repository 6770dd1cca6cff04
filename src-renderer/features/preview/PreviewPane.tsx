import { useEffect, useRef, useState } from 'react';
import { errorInfoOf } from '../../api';
import type { PreviewResult, PreviewRow, PreviewSummary, RawEntry } from '../../../src-shared/domain/preview';
import { parseLdapUrl } from '../../../src-shared/ldap/url';
import { formatCount } from '../../ui/format';
import { LdapsearchCommand } from '../../ui/LdapsearchCommand';
import { PreviewControls, PreviewPager } from './PreviewControls';
import { PreviewError } from './PreviewError';
import { MissingNamesNotice, ScriptFailures } from './PreviewNotices';
import { PreviewSource, type PreviewSourceProps } from './PreviewSource';
import { PreviewStatus } from './PreviewStatus';
import { PreviewTable } from './PreviewTable';
import { RawEntryDialog } from './RawEntryDialog';
import { useRawEntry, type RawContext } from './use-raw-entry';
import type { Preview } from './use-preview';

/** Props of {@link PreviewPane}. */
export interface PreviewPaneProps {
  preview: Preview;
  /** Why the preview cannot run yet (shown instead of calling), or null. */
  hint: string | null;
  /** The session, draft and password for the raw view; null while the form cannot be searched. */
  rawContext: () => RawContext | null;
  /** The source picker (live directory or a snapshot). */
  sourcePicker: PreviewSourceProps;
  /** Adds a row's entry as test cases (the raw entry when already read); resolves with what to tell the admin. */
  onAddTestCase?: (row: PreviewRow, raw?: RawEntry) => Promise<string>;
  /** Runs the connection test (offered when the directory's certificate is not trusted). */
  onOpenDoctor?: () => void;
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : formatCount(Math.round(ms));
}

/** The page's counts: "E entries · U users · A active · I inactive · X errors[ · W warnings] · script time T ms". */
export function summaryText(s: PreviewSummary): string {
  return [
    plural(s.entries, 'entry', 'entries'),
    plural(s.users, 'user', 'users'),
    `${formatCount(s.active)} active`,
    `${formatCount(s.inactive)} inactive`,
    plural(s.errors, 'error', 'errors'),
    ...(s.warnings > 0 ? [plural(s.warnings, 'warning', 'warnings')] : []),
    `script time ${formatMs(s.scriptMs)} ms`,
  ].join(' · ');
}

/** Where the page sits in the whole result: "Entries 51–100 of 6,000 matching the search" (the total is an exact count). */
export function wholeResultText(r: PreviewResult): string {
  const first = (r.page - 1) * r.pageSize + 1;
  const n = r.summary.entries;
  if (r.total === 0) return 'No entry matches the search';
  const span = n === 0 ? `No entries on page ${formatCount(r.page)}` : `Entries ${formatCount(first)}–${formatCount(first + n - 1)}`;
  return r.total === null ? `${span} (the total is unknown: the directory limits counting)` : `${span} of ${formatCount(r.total)} matching the search`;
}

function baseOf(url: string): string {
  const parsed = parseLdapUrl(url.trim());
  return parsed.ok ? parsed.url.baseDn : '';
}

/**
 * The preview pane: how each directory entry of the current page becomes a user, computed from the
 * unsaved form as the admin types. Read time and Refresh, a search by whole username, beginning or
 * part, pagers above and below the table, per-row problems (or only the rows with them), scripts
 * that fail everywhere said once, missing organizations and roles with the action that creates them.
 */
export function PreviewPane({ preview, hint, rawContext, sourcePicker, onAddTestCase, onOpenDoctor }: PreviewPaneProps) {
  const raw = useRawEntry(rawContext);
  const { result, error, ready, updating } = preview;
  const [added, setAdded] = useState<{ text: string; failed: boolean } | null>(null);
  const overSnapshot = preview.source.kind === 'snapshot' || sourcePicker.offline;
  const topRef = useRef<HTMLDivElement>(null);

  // A new page starts at its first row: the table scrolls back up and its top comes into view.
  const pageKey = result ? `${result.page}:${result.pageSize}:${result.search ?? ''}:${result.problemsOnly}` : '';
  const lastPageKey = useRef(pageKey);
  useEffect(() => {
    if (!pageKey || lastPageKey.current === pageKey) return;
    const first = lastPageKey.current === '';
    lastPageKey.current = pageKey;
    if (first) return;
    const top = topRef.current;
    top?.parentElement?.querySelector('.preview-table-wrap')?.scrollTo?.({ top: 0 });
    top?.scrollIntoView?.({ block: 'nearest' });
  }, [pageKey]);

  const addCase = onAddTestCase
    ? (row: PreviewRow, entry?: RawEntry) => {
        setAdded(null);
        onAddTestCase(row, entry).then(
          (text) => setAdded({ text, failed: false }),
          (e: unknown) => setAdded({ text: `No test case added: ${errorInfoOf(e).message}`, failed: true }),
        );
      }
    : undefined;
  const rawRow = raw.state && result ? result.rows.find((r) => r.dn === raw.state!.dn) : undefined;
  const showRows = ready && result !== null && !error;
  const pagerDisabled = !ready || error !== null || result === null;

  return (
    <section className="preview-pane" aria-labelledby="preview-heading" aria-busy={updating}>
      <div className="preview-head">
        <h3 id="preview-heading">Live preview</h3>
        <PreviewStatus ready={ready} updating={updating} result={result} failed={error !== null} overSnapshot={overSnapshot} onRefresh={preview.refresh} />
      </div>
      <p className="field-help">
        Runs on the unsaved form {overSnapshot ? 'over a snapshot' : 'against the directory'} and never writes to the directory or the store.
      </p>
      <PreviewSource {...sourcePicker} baseDn={baseOf(preview.url)} />
      <PreviewControls preview={preview} />
      {added && (
        <p role="status" className={added.failed ? 'notice warning-text' : 'notice'} data-testid="test-case-added">
          {added.text}
        </p>
      )}

      {!ready && (
        <p className="preview-hint" data-testid="preview-hint">
          {hint ?? 'Complete the connection fields to see how entries become users.'}
        </p>
      )}
      {ready && error && <PreviewError error={error} onOpenDoctor={onOpenDoctor} />}

      <div ref={topRef} className="preview-top">
        {showRows && (
          <p className="preview-summary">
            <span data-testid="preview-whole">{wholeResultText(result)}</span>
            <br />
            <span className="preview-summary-label">This page: </span>
            <span data-testid="preview-summary">{summaryText(result.summary)}</span>
          </p>
        )}
        {ready && <PreviewPager preview={preview} position="top" disabled={pagerDisabled} />}
      </div>
      {showRows && (
        <>
          <ScriptFailures failures={result.scriptFailures} />
          <MissingNamesNotice missing={result.missing} serverId={preview.serverId} />
          {result.references && (
            <p className={result.references.failsSync ? 'notice warning-text' : 'notice'} role="note" data-testid="preview-references">
              {result.references.message}
            </p>
          )}
          {result.rows.length === 0 ? (
            <p className="muted preview-empty" data-testid="preview-empty">
              {emptyText(result)}
            </p>
          ) : (
            <PreviewTable rows={result.rows} onRaw={raw.open} onAddTestCase={addCase} />
          )}
        </>
      )}
      {ready && showRows && result.rows.length > 10 && <PreviewPager preview={preview} position="bottom" disabled={pagerDisabled} />}
      {showRows && (
        <div className="preview-query">
          <p className="muted">
            {overSnapshot ? 'Filter evaluated on the snapshot: ' : 'Filter sent: '}
            <code data-testid="preview-filter">{result.filter}</code>
          </p>
          {result.ldapsearch && <LdapsearchCommand command={result.ldapsearch} testId="preview-ldapsearch" />}
        </div>
      )}
      {raw.state && (
        <RawEntryDialog
          state={raw.state}
          onClose={raw.close}
          onAddTestCase={
            addCase && rawRow
              ? (entry) => {
                  raw.close();
                  addCase(rawRow, entry);
                }
              : undefined
          }
        />
      )}
    </section>
  );
}

/** Why the table is empty: no match for the search, no problem on this page, or nothing on this page. */
function emptyText(r: PreviewResult): string {
  if (r.problemsOnly && r.summary.entries > 0) return `No row on this page has a problem (${plural(r.summary.users, 'user', 'users')} checked). Try the next page, or show every row.`;
  if (r.search !== null) {
    const how = r.match === 'prefix' ? 'begins with' : r.match === 'contains' ? 'contains' : 'is';
    return `No user has a username that ${how} "${r.search}".`;
  }
  return 'No entries on this page.';
}
