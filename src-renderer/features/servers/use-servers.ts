// The list of saved servers and the list-level actions (duplicate, delete).
import { useCallback, useEffect, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { ServerView } from '../../../src-shared/domain/server';

/** Saved servers (null until first loaded) and the actions on them. */
export function useServers() {
  const [servers, setServers] = useState<ServerView[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const reload = useCallback(async () => {
    try {
      setServers(await call('servers.list', {}));
      setError(null);
    } catch (e) {
      setError(errorInfoOf(e));
      setServers((s) => s ?? []);
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Puts a server returned by create/update into the list at once, before the reload lands. */
  const upsert = useCallback((server: ServerView) => {
    setServers((list) => {
      const current = list ?? [];
      return current.some((s) => s.id === server.id) ? current.map((s) => (s.id === server.id ? server : s)) : [...current, server];
    });
  }, []);

  /** Copies a saved server; resolves with the copy. */
  const duplicate = useCallback(
    async (id: string) => {
      const copy = await call('servers.duplicate', { id });
      upsert(copy);
      void reload();
      return copy;
    },
    [upsert, reload],
  );

  /** Deletes a saved server. */
  const remove = useCallback(
    async (id: string) => {
      await call('servers.delete', { id });
      setServers((list) => (list ?? []).filter((s) => s.id !== id));
      void reload();
    },
    [reload],
  );

  return { servers, error, setError, reload, upsert, duplicate, remove };
}
