import { useCallback, useEffect, useState } from 'react';
import { errorInfoOf } from '../../api';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { notifyChanged } from '../../ui/data-events';
import type { ServerView } from '../../../src-shared/domain/server';
import { ServerEditor } from './ServerEditor';
import { ServerList } from './ServerList';
import { useSample } from './use-sample';
import { useServers } from './use-servers';
import { Welcome } from './Welcome';

/** What the right side shows. */
type Selection = { kind: 'none' } | { kind: 'new' } | { kind: 'server'; id: string };

/** Props of {@link ServersScreen}. */
export interface ServersScreenProps {
  /** The open server form has unsaved changes (the shell marks the Servers tab). */
  onDirtyChange?: (dirty: boolean) => void;
}

/** The Servers screen: the list with health on the left, the selected server's editor on the right. */
export function ServersScreen({ onDirtyChange }: ServersScreenProps = {}) {
  const { servers, error, setError, upsert, reload, duplicate, remove } = useServers();
  const [selection, setSelection] = useState<Selection>({ kind: 'none' });
  // A new editing session (fresh form state) starts only on navigation, not when a new server is saved.
  const [session, setSession] = useState(0);
  const [dirty, setDirty] = useState(false);
  const [pendingLeave, setPendingLeave] = useState<(() => void) | null>(null);
  const [deleting, setDeleting] = useState<ServerView | null>(null);
  const sample = useSample();
  const sampleId = sample.status?.serverId ?? null;
  const [openingSample, setOpeningSample] = useState(false);
  const [removingSample, setRemovingSample] = useState(false);

  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);

  const selectedId = selection.kind === 'server' ? selection.id : null;
  const selectedServer = selectedId ? (servers?.find((s) => s.id === selectedId) ?? null) : null;

  const open = useCallback((next: Selection) => {
    setSelection(next);
    setSession((n) => n + 1);
    setDirty(false);
  }, []);

  /** Runs `leave` now, or after the admin agrees to discard unsaved changes. */
  const guard = (leave: () => void) => {
    if (dirty) setPendingLeave(() => leave);
    else leave();
  };

  const onSaved = useCallback(
    (server: ServerView) => {
      upsert(server);
      setSelection({ kind: 'server', id: server.id });
      void reload();
      notifyChanged('servers');
    },
    [upsert, reload],
  );
  const onTested = useCallback(() => void reload(), [reload]);

  const onDuplicate = () => {
    if (!selectedId) return;
    guard(() => {
      duplicate(selectedId).then(
        (copy) => {
          open({ kind: 'server', id: copy.id });
          notifyChanged('servers');
        },
        (e: unknown) => setError(errorInfoOf(e)),
      );
    });
  };

  const confirmDelete = async () => {
    const target = deleting;
    setDeleting(null);
    if (!target) return;
    try {
      await remove(target.id);
      if (selectedId === target.id) open({ kind: 'none' });
      notifyChanged('servers');
    } catch (e) {
      setError(errorInfoOf(e));
    }
  };

  const openSample = async () => {
    setOpeningSample(true);
    try {
      const id = await sample.install();
      await reload();
      open({ kind: 'server', id });
    } catch (e) {
      setError(errorInfoOf(e));
    } finally {
      setOpeningSample(false);
    }
  };

  const confirmRemoveSample = async () => {
    setRemovingSample(false);
    try {
      await sample.remove();
      if (selectedId === sampleId) open({ kind: 'none' });
      await reload();
    } catch (e) {
      setError(errorInfoOf(e));
    }
  };

  if (servers === null) {
    return (
      <p className="loading" role="status">
        Loading servers…
      </p>
    );
  }

  const showWelcome = servers.length === 0 && selection.kind === 'none';
  return (
    <div className={showWelcome ? 'servers-screen servers-screen-welcome' : 'servers-screen'}>
      {error && (
        <div role="alert" className="form-error list-error">
          <p>{error.message}</p>
          <button type="button" onClick={() => void reload()}>
            Retry
          </button>
        </div>
      )}
      {showWelcome ? (
        <Welcome
          onAdd={() => open({ kind: 'new' })}
          onOpenSample={sample.status?.storeEmpty ? () => void openSample() : undefined}
          openingSample={openingSample}
        />
      ) : (
        <>
          <ServerList
            servers={servers}
            selectedId={selectedId}
            sampleId={sampleId}
            onSelect={(id) => {
              if (id !== selectedId) guard(() => open({ kind: 'server', id }));
            }}
            onAdd={() => guard(() => open({ kind: 'new' }))}
            onDuplicate={onDuplicate}
            onDelete={() => selectedServer && setDeleting(selectedServer)}
          />
          {selection.kind === 'none' ? (
            <section className="editor editor-empty">
              <p className="muted">Select a server to edit it, or Add a new one.</p>
            </section>
          ) : (
            <ServerEditor
              key={session}
              initial={selectedServer}
              onSaved={onSaved}
              onTested={onTested}
              onDirtyChange={setDirty}
              onRemoveSample={selectedId !== null && selectedId === sampleId ? () => setRemovingSample(true) : undefined}
            />
          )}
        </>
      )}

      {pendingLeave && (
        <ConfirmDialog
          title="Discard unsaved changes?"
          testId="discard-dialog"
          onClose={() => setPendingLeave(null)}
          onConfirm={() => {
            const leave = pendingLeave;
            setPendingLeave(null);
            leave();
          }}
          confirmLabel="Discard"
          cancelLabel="Keep editing"
        >
          <p>This server has changes that are not saved. Leaving the form loses them.</p>
        </ConfirmDialog>
      )}

      {removingSample && (
        <ConfirmDialog
          title="Remove the sample directory?"
          testId="remove-sample-dialog"
          onClose={() => setRemovingSample(false)}
          onConfirm={() => void confirmRemoveSample()}
          confirmLabel="Remove sample"
        >
          <p>
            This removes only what the sample added: the <strong>Sample directory</strong> server, its snapshot and the Fjordline organizations (with
            their users, if a sample sync created any). Your own servers, organizations and roles stay as they are.
          </p>
          {dirty && <p className="warning-text">The sample server&apos;s unsaved changes are lost too.</p>}
        </ConfirmDialog>
      )}

      {deleting && (
        <ConfirmDialog
          title="Delete server?"
          testId="delete-dialog"
          onClose={() => setDeleting(null)}
          onConfirm={() => void confirmDelete()}
          confirmLabel="Delete"
        >
          <p>
            Delete <strong>{deleting.name || '(unnamed server)'}</strong> ({deleting.url})? Its settings, trusted certificates and stored password are
            removed. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
