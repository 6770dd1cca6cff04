import type { CsvImportReport } from '../../../src-shared/domain/local-users';
import { DataTable } from '../../ui/DataTable';
import { formatCount } from '../../ui/format';

/** How many names of the would-be-added users a report lists before "and N more". */
const NAMES_SHOWN = 20;

/**
 * The validation report of a users CSV: its problems (row as in the file, the header being row 1,
 * the column, the reason), or the users it would add.
 */
export function CsvReport({ report, fileName }: { report: CsvImportReport; fileName: string }) {
  const rows = `${formatCount(report.rows)} ${report.rows === 1 ? 'row' : 'rows'}`;
  if (report.problems.length > 0) {
    return (
      <div className="csv-report" data-testid="csv-report" data-problems={report.problems.length}>
        <p role="alert" className="bad">
          {fileName}: {rows}, {formatCount(report.problems.length)} {report.problems.length === 1 ? 'problem' : 'problems'}. Nothing is added until every row is right: fix the
          file and choose it again.
        </p>
        <div className="table-wrap">
          <DataTable columns={[{ label: 'Row', num: true }, 'Column', 'Reason']} className="csv-problems">
            {report.problems.map((p, i) => (
              <tr key={i} data-testid="csv-problem" data-row={p.row}>
                <td className="num">{p.row}</td>
                <td className="mono">{p.column ?? <span className="muted">—</span>}</td>
                <td className="csv-reason">{p.reason}</td>
              </tr>
            ))}
          </DataTable>
        </div>
      </div>
    );
  }
  const shown = report.usernames.slice(0, NAMES_SHOWN);
  const more = report.usernames.length - shown.length;
  return (
    <div className="csv-report" data-testid="csv-report" data-problems={0}>
      <p role="status" className="ok">
        {fileName}: {rows}, no problems. {report.dryRun ? 'Import adds' : 'Added'} {formatCount(report.usernames.length)}{' '}
        {report.usernames.length === 1 ? 'user' : 'users'}:
      </p>
      <p className="mono csv-names">
        {shown.join(', ')}
        {more > 0 && <span className="muted"> and {formatCount(more)} more</span>}
      </p>
    </div>
  );
}
