import { expect, it } from 'vitest';
import { z } from 'zod';
import { orderedUuid } from '../../src-main/store/ordered-id';

it('makes valid version-7 UUIDs that sort in the order they were made, also within one millisecond', () => {
  const ids = Array.from({ length: 5000 }, () => orderedUuid(1_800_000_000_000));
  ids.push(orderedUuid(1_800_000_000_001 + 10));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids.slice(0, 50)) {
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.string().uuid().safeParse(id).success).toBe(true);
  }
});
