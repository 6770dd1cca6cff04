import type { PreviewRow, RowProblem } from '../../../src-shared/domain/preview';
import { SCRIPT_META } from '../scripts/script-meta';

/** Props of {@link PreviewTable}. */
export interface PreviewTableProps {
  rows: readonly PreviewRow[];
  /** Opens the raw view of an entry. */
  onRaw: (dn: string) => void;
  /** Adds the row's entry as a test case of each script, expecting its current results. */
  onAddTestCase?: (row: PreviewRow) => void;
}

/**
 * A problem as the row shows it. Script failures lead with the script and line, "Active script, line 3:
 * ...", whatever label the message already carries; other problems show their message.
 */
export function problemText(problem: RowProblem): string {
  if (!problem.script || !problem.code.startsWith('SCRIPT_')) return problem.message;
  const title = SCRIPT_META[problem.script]?.title ?? problem.script;
  const rest = problem.message.replace(new RegExp(`^${title}(?:, line \\d+(?:, column \\d+)?)?:\\s*`, 'i'), '');
  if (problem.line === undefined) return rest.toLowerCase().includes(title.toLowerCase()) ? rest : `${title}: ${rest}`;
  return `${title}, line ${problem.line}: ${rest}`;
}

/** Consecutive rows of the same entry (one user per value of a multi-valued username attribute). */
function groupsOf(rows: readonly PreviewRow[]): PreviewRow[][] {
  const groups: PreviewRow[][] = [];
  for (const row of rows) {
    const last = groups[groups.length - 1];
    if (last && last[0].entryIndex === row.entryIndex && last[0].dn === row.dn) last.push(row);
    else groups.push([row]);
  }
  return groups;
}

/** A DN as its first RDN, then the parent DN (muted, cut with an ellipsis when narrow; the text stays whole for copying). */
function DnText({ dn }: { dn: string }) {
  const cut = firstRdnEnd(dn);
  return (
    <span className="dn-text mono" title={dn}>
      <span className="dn-rdn">{dn.slice(0, cut)}</span>
      {cut < dn.length && <span className="dn-parent">{dn.slice(cut)}</span>}
    </span>
  );
}

/** Index just after the first RDN (its unescaped comma included), or the length. */
function firstRdnEnd(dn: string): number {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return i + 1;
  }
  return dn.length;
}

/** An email address that may wrap after the @ (never in the middle of a name). */
function Email({ value }: { value: string | null }) {
  if (value === null || value === '') return <span className="muted">—</span>;
  const at = value.indexOf('@');
  if (at < 0) return <>{value}</>;
  return (
    <>
      {value.slice(0, at + 1)}
      <wbr />
      {value.slice(at + 1)}
    </>
  );
}

function Text({ value }: { value: string | null }) {
  return value === null || value === '' ? <span className="muted">—</span> : <>{value}</>;
}

function ActiveCell({ active }: { active: boolean | null }) {
  if (active === null) return <span className="muted">—</span>;
  return active ? <span className="ok">✓ yes</span> : <span className="bad">✗ no</span>;
}

function EntryRows({ rows, onRaw, onAddTestCase }: { rows: PreviewRow[]; onRaw: (dn: string) => void; onAddTestCase?: (row: PreviewRow) => void }) {
  const dn = rows[0].dn;
  const span = rows.reduce((n, r) => n + (r.errors.length > 0 ? 2 : 1), 0);
  return (
    <tbody className={rows.length > 1 ? 'entry-group entry-group-multi' : 'entry-group'}>
      {rows.map((row, i) => {
        const onlyWarnings = row.errors.length > 0 && row.errors.every((p) => p.severity === 'warning');
        const cls = [row.active === false ? 'row-inactive' : '', row.errors.length ? (onlyWarnings ? 'row-has-warnings' : 'row-has-problems') : ''].filter(Boolean).join(' ');
        return [
          <tr key={`r${i}`} className={cls || undefined} data-testid="preview-row" data-username={row.username ?? ''} data-active={String(row.active)}>
            {i === 0 && (
              <td rowSpan={span} className="cell-dn">
                <DnText dn={dn} />
                <button type="button" className="small raw-button" title="Show every attribute of this entry as the server returned it" onClick={() => onRaw(dn)}>
                  Raw
                </button>
                {onAddTestCase && (
                  <button
                    type="button"
                    className="small raw-button"
                    aria-label="Add as test case"
                    title="Add this entry as a test case of each script, expecting what the scripts return for it now"
                    onClick={() => onAddTestCase(rows[0])}
                  >
                    + Test
                  </button>
                )}
                {rows.length > 1 && <span className="muted group-note">{rows.length} users from this entry</span>}
              </td>
            )}
            <td className="cell-username">
              <Text value={row.username} />
            </td>
            <td className="cell-email">
              <Email value={row.email} />
            </td>
            <td>
              <Text value={row.firstName} />
            </td>
            <td>
              <Text value={row.lastName} />
            </td>
            <td className="cell-active">
              <ActiveCell active={row.active} />
            </td>
            <td>
              <Text value={row.org} />
            </td>
            <td>{row.roles.length ? row.roles.join(', ') : <span className="muted">—</span>}</td>
          </tr>,
          row.errors.length > 0 && (
            <tr key={`p${i}`} className="row-problems">
              <td colSpan={7}>
                <ul>
                  {row.errors.map((p, j) => (
                    <li key={j} data-testid="row-problem" data-code={p.code} data-severity={p.severity ?? 'error'} className={p.severity === 'warning' ? 'problem-warning' : 'problem-error'}>
                      <span aria-hidden="true">⚠ </span>
                      {p.severity === 'warning' && <span className="visually-hidden">Warning: </span>}
                      {problemText(p)}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ),
        ];
      })}
    </tbody>
  );
}

/** The mapped rows of the current page, grouped under their entry, with each row's problems beneath it. */
export function PreviewTable({ rows, onRaw, onAddTestCase }: PreviewTableProps) {
  const groups = groupsOf(rows);
  return (
    <div className="preview-table-wrap" role="region" tabIndex={0} aria-label="Preview rows">
      <table className="preview-table" data-testid="preview-table">
        <thead>
          <tr>
            <th scope="col">Distinguished name</th>
            <th scope="col">Username</th>
            <th scope="col">Email</th>
            <th scope="col">First name</th>
            <th scope="col">Last name</th>
            <th scope="col">Active</th>
            <th scope="col">Org</th>
            <th scope="col">Roles</th>
          </tr>
        </thead>
        {groups.map((g) => (
          <EntryRows key={`${g[0].entryIndex}-${g[0].dn}`} rows={g} onRaw={onRaw} onAddTestCase={onAddTestCase} />
        ))}
      </table>
    </div>
  );
}
