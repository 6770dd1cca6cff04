import type { ReactNode } from 'react';

/** One column heading of a {@link DataTable}: its text, or the text with options. */
export type DataColumn =
  | string
  | {
      label: ReactNode;
      /** Right-aligned numbers. */
      num?: boolean;
      title?: string;
      /** Heard by screen readers only, e.g. the column of row buttons. */
      hidden?: boolean;
    };

/** The heading of a column of row buttons. */
export const ACTIONS_COLUMN: DataColumn = { label: 'Actions', hidden: true };

/** Props of {@link DataTable}. */
export interface DataTableProps {
  columns: DataColumn[];
  /** Extra class next to `data-table`, e.g. `users-table`. */
  className?: string;
  /** Sets aria-busy while the rows are being (re)loaded. */
  busy?: boolean;
  /** The rows. */
  children: ReactNode;
}

/** A `data-table` with one heading row; the caller renders the body rows. */
export function DataTable({ columns, className, busy, children }: DataTableProps) {
  return (
    <table className={className ? `data-table ${className}` : 'data-table'} aria-busy={busy}>
      <thead>
        <tr>
          {columns.map((column, i) => {
            const c = typeof column === 'string' ? { label: column } : column;
            return (
              <th key={i} scope="col" className={c.num ? 'num' : undefined} title={c.title}>
                {c.hidden ? <span className="visually-hidden">{c.label}</span> : c.label}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}
