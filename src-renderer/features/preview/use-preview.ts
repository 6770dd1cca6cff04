// The live preview of one editing session: runs preview.run on the unsaved form, debounced, one call at
// a time (the newest request waits for the running one, older waiting requests are dropped).
import { useCallback, useEffect, useRef, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Input } from '../../../src-shared/ipc/contract';
import type { PreviewResult, UsernameMatch } from '../../../src-shared/domain/preview';
import { onChanged } from '../../ui/data-events';
import type { WindowPasswordInput, ServerDraft } from '../../../src-shared/domain/server';
import type { EntrySourceRef } from '../../../src-shared/domain/snapshot';

/** Delay after the last change to the form or the search before the preview refreshes, in milliseconds. */
export const PREVIEW_DEBOUNCE_MS = 250;
/** The page size the preview starts with. */
export const DEFAULT_PAGE_SIZE = 50;

type RunInput = Input<'preview.run'>;

/** What the preview is computed from. */
export interface PreviewInputs {
  serverId: string | undefined;
  draft: ServerDraft;
  password: WindowPasswordInput;
  /** Where the entries come from: the live directory or a snapshot (an offline draft always reads its own). */
  source: EntrySourceRef;
  /** False while the form cannot be searched yet (bad URL, filter or bind): nothing is called. */
  ready: boolean;
}

function newSessionId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** What decides which entries the search returns: changing it goes back to page 1. */
function scopeKeyOf(draft: ServerDraft, password: WindowPasswordInput, source: EntrySourceRef): string {
  const { url, startTls, bindAnonymously, bindDn, searchFilter } = draft;
  return JSON.stringify([url, startTls, bindAnonymously, bindDn, searchFilter, password, source]);
}

/** The preview state and its controls (page, page size, username search and how it matches, problems only, refresh). */
export function usePreview({ serverId, draft, password, source, ready }: PreviewInputs) {
  const [sessionId] = useState(newSessionId);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSizeState] = useState<number>(DEFAULT_PAGE_SIZE);
  const [searchText, setSearchTextState] = useState('');
  const [match, setMatchState] = useState<UsernameMatch>('exact');
  const [problemsOnly, setProblemsOnlyState] = useState(false);
  // Bumped by Refresh (read the directory again) and by a change to organizations or roles (check the names again).
  const [readTick, setReadTick] = useState(0);
  const [namesTick, setNamesTick] = useState(0);
  const forceRead = useRef(false);
  const [result, setResult] = useState<PreviewResult | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [completedKey, setCompletedKey] = useState<string | null>(null);
  const [attributes, setAttributes] = useState<string[]>([]);

  // A new search scope starts again at page 1 (adjusted while rendering, so no request for the old page goes out).
  const scopeKey = scopeKeyOf(draft, password, source);
  const [lastScope, setLastScope] = useState(scopeKey);
  if (lastScope !== scopeKey) {
    setLastScope(scopeKey);
    if (page !== 1) setPage(1);
  }

  const search = searchText.trim() === '' ? null : searchText.trim();
  const request: RunInput | null = ready
    ? { sessionId, ...(serverId ? { serverId } : {}), draft, password, page, pageSize: pageSize as RunInput['pageSize'], search, match, problemsOnly, source }
    : null;
  const requestKey = request ? JSON.stringify([request, readTick, namesTick]) : null;
  const latest = useRef<RunInput | null>(request);
  latest.current = request;

  const inFlight = useRef(false);
  const queued = useRef<{ input: RunInput; key: string } | null>(null);
  const mounted = useRef(true);
  const lastSent = useRef<{ page: number; pageSize: number; rest: string } | null>(null);

  const run = useCallback(async (input: RunInput, key: string) => {
    inFlight.current = true;
    try {
      const data = await call('preview.run', input);
      if (!mounted.current) return;
      setResult(data);
      setAttributes(data.attributes);
      setError(null);
    } catch (e) {
      if (!mounted.current) return;
      setError(errorInfoOf(e));
    } finally {
      inFlight.current = false;
      const next = queued.current;
      queued.current = null;
      if (mounted.current) {
        setCompletedKey(key);
        if (next) void run(next.input, next.key);
      }
    }
  }, []);

  useEffect(() => {
    if (!requestKey) return;
    const current = latest.current;
    if (!current) return;
    const input: RunInput = forceRead.current ? { ...current, refresh: true } : current;
    // Paging, Refresh and renamed organizations or roles refresh at once; typing waits for a pause.
    const rest = JSON.stringify({ ...current, page: 0, pageSize: 0, problemsOnly: false });
    const pagingOnly = lastSent.current?.rest === rest;
    const timer = window.setTimeout(
      () => {
        forceRead.current = false;
        lastSent.current = { page: input.page, pageSize: input.pageSize, rest };
        if (inFlight.current) queued.current = { input, key: requestKey };
        else void run(input, requestKey);
      },
      pagingOnly ? 0 : PREVIEW_DEBOUNCE_MS,
    );
    return () => window.clearTimeout(timer);
  }, [requestKey, run]);

  // Leaving the editor (or switching server) drops main's cached entries for this session.
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      call('preview.close', { sessionId }).catch(() => undefined);
    };
  }, [sessionId]);

  const setSearchText = useCallback((text: string) => {
    setSearchTextState(text);
    setPage(1);
  }, []);
  const setPageSize = useCallback((size: number) => {
    setPageSizeState(size);
    setPage(1);
  }, []);
  const setMatch = useCallback((m: UsernameMatch) => {
    setMatchState(m);
    setPage(1);
  }, []);
  const setProblemsOnly = useCallback((on: boolean) => {
    setProblemsOnlyState(on);
    setPage(1);
  }, []);
  /** Reads the directory (or snapshot) again instead of the pages main holds. */
  const refresh = useCallback(() => {
    forceRead.current = true;
    setReadTick((n) => n + 1);
  }, []);

  // A renamed, created or deleted organization or role changes which names are unknown: check again at once.
  useEffect(() => onChanged(['orgs', 'roles'], () => setNamesTick((n) => n + 1)), []);

  return {
    sessionId,
    ready,
    /** The source this preview reads. */
    source,
    /** A refresh is waiting or running for the current form values. */
    updating: ready && requestKey !== completedKey,
    result,
    error,
    /** Attribute names seen in the latest successful preview (kept while a later one fails). */
    attributes,
    page,
    pageSize,
    searchText,
    match,
    problemsOnly,
    /** The server being edited (saved), if any: new organizations sign in with it. */
    serverId,
    /** The form's URL (its search base decides which snapshots fit). */
    url: draft.url,
    setPage,
    setPageSize,
    setSearchText,
    setMatch,
    setProblemsOnly,
    refresh,
  };
}

/** The value returned by {@link usePreview}. */
export type Preview = ReturnType<typeof usePreview>;
