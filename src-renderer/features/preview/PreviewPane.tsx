import { useState } from 'react';
import { errorInfoOf } from '../../api';
import type { PreviewRow, PreviewSummary, RawEntry } from '../../../src-shared/domain/preview';
import { formatCount } from '../../ui/format';
import { LdapsearchCommand } from '../../ui/LdapsearchCommand';
import { PreviewControls, PreviewPager } from './PreviewControls';
import { PreviewSource, type PreviewSourceProps } from './PreviewSource';
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
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : formatCount(Math.round(ms));
}

/** "E entries · U users · A active · I inactive · X errors · script time T ms". */
export function summaryText(s: PreviewSummary): string {
  return [
    plural(s.entries, 'entry', 'entries'),
    plural(s.users, 'user', 'users'),
    `${formatCount(s.active)} active`,
    `${formatCount(s.inactive)} inactive`,
    plural(s.errors, 'error', 'errors'),
    `script time ${formatMs(s.scriptMs)} ms`,
  ].join(' · ');
}

/**
 * The right-hand pane: how each directory entry of the current page becomes a user, computed from the
 * unsaved form as the admin types. Paging, username search, per-row problems, raw view, summary line.
 */
export function PreviewPane({ preview, hint, rawContext, sourcePicker, onAddTestCase }: PreviewPaneProps) {
  const raw = useRawEntry(rawContext);
  const { result, error, ready, updating } = preview;
  const [added, setAdded] = useState<{ text: string; failed: boolean } | null>(null);
  const overSnapshot = preview.source.kind === 'snapshot' || sourcePicker.offline;

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
  let status = '';
  if (!ready) status = 'Waiting for the form';
  else if (updating) status = 'Updating…';
  else if (result && !error) status = 'Up to date';

  return (
    <section className="preview-pane" aria-labelledby="preview-heading" aria-busy={updating}>
      <div className="preview-head">
        <h3 id="preview-heading">Live preview</h3>
        <span role="status" className={updating ? 'preview-status updating' : 'preview-status muted'} data-testid="preview-status">
          {updating && <span className="spinner" aria-hidden="true" />}
          {status}
        </span>
      </div>
      <p className="field-help">
        Runs on the unsaved form {overSnapshot ? 'over a snapshot' : 'against the directory'} and never writes to the directory or the store.
      </p>
      <PreviewSource {...sourcePicker} />
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
      {ready && error && (
        <div role="alert" className="form-error" data-testid="preview-error">
          <p>{error.message}</p>
          {(error.fields?.length ?? 0) > 0 && (
            <ul>
              {error.fields!.map((f, i) => (
                <li key={`${f.path}-${i}`}>
                  <span className="mono">{f.path.replace(/^draft\./, '')}</span>: {f.message}
                </li>
              ))}
            </ul>
          )}
          <p className="muted mono">{error.code}</p>
        </div>
      )}

      {showRows && (
        <>
          <p className="preview-summary" data-testid="preview-summary">
            {summaryText(result.summary)}
          </p>
          {result.references && (
            <p className={result.references.failsSync ? 'notice warning-text' : 'notice'} role="note" data-testid="preview-references">
              {result.references.message}
            </p>
          )}
          {result.rows.length === 0 ? (
            <p className="muted preview-empty" data-testid="preview-empty">
              {result.search !== null ? `No user matches the username "${result.search}".` : 'No entries on this page.'}
            </p>
          ) : (
            <PreviewTable rows={result.rows} onRaw={raw.open} onAddTestCase={addCase} />
          )}
        </>
      )}
      {ready && <PreviewPager preview={preview} />}
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
