// The rows of one run's plan, fetched on demand in blocks and cached, so the plan view stays fast with
// 100k rows: only the blocks under the visible rows are requested, each once, and far-away blocks are
// dropped from the cache.
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { PlanChange, PlanFilter, SyncAction } from '../../../src-shared/domain/sync';

/** Rows per request. */
export const PLAN_BLOCK = 200;
/** Blocks kept in memory (about 12,000 rows). */
const MAX_BLOCKS = 60;

interface Cache {
  key: string;
  blocks: Map<number, PlanChange[]>;
  pending: Set<number>;
}

interface Meta {
  /** The request key the total and error belong to. */
  key: string;
  /** The run the chip counts belong to (they do not depend on the filter or search). */
  runId: string;
  total: number | null;
  byAction: Record<SyncAction, number> | null;
  error: ErrorInfo | null;
}

/** The plan rows of `runId` under a filter and a search, with what the filter chips count. */
export function usePlanRows(runId: string, filter: PlanFilter, search: string | null) {
  const key = JSON.stringify([runId, filter, search]);
  const cache = useRef<Cache>({ key: '', blocks: new Map(), pending: new Set() });
  // A new run, filter or search starts from an empty cache.
  if (cache.current.key !== key) cache.current = { key, blocks: new Map(), pending: new Set() };
  const [meta, setMeta] = useState<Meta>({ key: '', runId: '', total: null, byAction: null, error: null });
  // Bumped when a block lands, so the rows re-render.
  const [version, setVersion] = useState(0);
  const lastRange = useRef<[number, number]>([0, 0]);

  const fetchBlock = useCallback(
    async (block: number) => {
      const c = cache.current;
      if (c.blocks.has(block) || c.pending.has(block)) return;
      c.pending.add(block);
      const requestKey = c.key;
      try {
        const page = await call('history.changes', { runId, filter, search, offset: block * PLAN_BLOCK, limit: PLAN_BLOCK });
        if (cache.current !== c) return;
        c.blocks.set(block, page.rows);
        // Keep memory flat: drop the blocks furthest from what is on screen.
        if (c.blocks.size > MAX_BLOCKS) {
          const middle = (lastRange.current[0] + lastRange.current[1]) / 2 / PLAN_BLOCK;
          const far = Array.from(c.blocks.keys()).sort((a, b) => Math.abs(b - middle) - Math.abs(a - middle));
          for (const b of far.slice(0, c.blocks.size - MAX_BLOCKS)) c.blocks.delete(b);
        }
        setMeta({ key: requestKey, runId, total: page.total, byAction: page.byAction, error: null });
        setVersion((v) => v + 1);
      } catch (e) {
        if (cache.current !== c) return;
        const error = errorInfoOf(e);
        setMeta((m) => ({ ...m, key: requestKey, total: m.key === requestKey ? m.total : null, error }));
      } finally {
        c.pending.delete(block);
      }
    },
    [runId, filter, search],
  );

  useEffect(() => {
    lastRange.current = [0, 0];
    void fetchBlock(0);
  }, [key, fetchBlock]);

  const current = meta.key === key;
  const total = current ? meta.total : null;

  /** Makes sure the rows first..last (inclusive) are loaded or loading. */
  const ensure = useCallback(
    (first: number, last: number) => {
      lastRange.current = [first, last];
      if (last < first) return;
      for (let b = Math.floor(first / PLAN_BLOCK); b <= Math.floor(last / PLAN_BLOCK); b++) void fetchBlock(b);
    },
    [fetchBlock],
  );

  /** Row `i`, or undefined while its block loads. */
  const rowAt = useCallback((i: number): PlanChange | undefined => cache.current.blocks.get(Math.floor(i / PLAN_BLOCK))?.[i % PLAN_BLOCK], []);

  /** Asks again for the blocks on screen after a failed request. */
  const retry = useCallback(() => {
    setMeta((m) => ({ ...m, error: null }));
    const [first, last] = lastRange.current;
    for (let b = Math.floor(first / PLAN_BLOCK); b <= Math.floor(Math.max(first, last) / PLAN_BLOCK); b++) void fetchBlock(b);
  }, [fetchBlock]);

  return {
    total,
    byAction: meta.runId === runId ? meta.byAction : null,
    error: current ? meta.error : null,
    version,
    ensure,
    rowAt,
    retry,
  };
}
