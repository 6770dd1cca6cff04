import { describe, expect, it } from 'vitest';
import { heldReason } from '../../src-main/sync/hold-policy';

const LIMIT = { count: 500, percent: 10, dropPercent: 50 };

describe('hold policy', () => {
  it('lets a plan through when it stays under every limit', () => {
    expect(heldReason({ deactivated: 10, managedBefore: 1000, entries: 990, lastEntries: 1000 }, LIMIT)).toBeNull();
  });

  it('holds a plan that deactivates more users than the count limit, naming the limit', () => {
    expect(heldReason({ deactivated: 501, managedBefore: 100_000, entries: 99_499, lastEntries: 100_000 }, LIMIT)).toBe(
      'Held for review: it would deactivate 501 users, more than the limit of 500. Review the plan, then apply exactly this plan or discard it.',
    );
  });

  it('holds a plan that deactivates more than the share of managed users, with one decimal when needed', () => {
    expect(heldReason({ deactivated: 7, managedBefore: 60, entries: 53, lastEntries: null }, LIMIT)).toBe(
      'Held for review: it would deactivate 11.7% of the 60 managed users, more than 10%. Review the plan, then apply exactly this plan or discard it.',
    );
  });

  it('holds a search that returned far fewer entries than the last sync, even with nothing to deactivate', () => {
    expect(heldReason({ deactivated: 0, managedBefore: 0, entries: 400, lastEntries: 1000 }, LIMIT)).toBe(
      'Held for review: the search returned 400 entries, 60% fewer than the 1000 of the last sync (limit 50%). Review the plan, then apply exactly this plan or discard it.',
    );
  });

  it('lists every limit passed, in one sentence', () => {
    const reason = heldReason({ deactivated: 900, managedBefore: 1000, entries: 100, lastEntries: 1000 }, LIMIT)!;
    expect(reason.split('; ')).toHaveLength(3);
  });

  it('compares nothing with a last sync that had no entries (no first-sync division by zero)', () => {
    expect(heldReason({ deactivated: 0, managedBefore: 0, entries: 0, lastEntries: 0 }, LIMIT)).toBeNull();
  });
});
