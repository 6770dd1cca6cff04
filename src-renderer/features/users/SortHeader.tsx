import type { UserSort } from '../../../src-shared/domain/directory';

/** The users list's sort: a column and a direction (default username, ascending). */
export interface UserOrder {
  sort: UserSort;
  descending: boolean;
}

/**
 * A column heading that sorts the list by its column: a click sorts ascending, a second click
 * descending. The arrow and the button's label say which way the list is sorted now.
 */
export function SortHeader({ label, column, order, onOrder }: { label: string; column: UserSort; order: UserOrder; onOrder: (o: UserOrder) => void }) {
  const current = order.sort === column;
  const arrow = current ? (order.descending ? '▼' : '▲') : '';
  const state = current ? (order.descending ? 'sorted descending' : 'sorted ascending') : 'not sorted';
  return (
    <button
      type="button"
      className="sort-header"
      data-testid={`sort-${column}`}
      data-sorted={current ? (order.descending ? 'descending' : 'ascending') : undefined}
      aria-label={`${label}, ${state}: sort by ${label.toLowerCase()}${current && !order.descending ? ' descending' : ''}`}
      onClick={() => onOrder({ sort: column, descending: current ? !order.descending : false })}
    >
      {label}
      <span className="sort-arrow" aria-hidden="true">
        {arrow}
      </span>
    </button>
  );
}
