import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { subscribe } from './api';
import { notifyChanged } from './ui/data-events';
import { HistoryScreen } from './features/history/HistoryScreen';
import { OrgsScreen } from './features/orgs/OrgsScreen';
import { RolesScreen } from './features/roles/RolesScreen';
import { ServersScreen } from './features/servers/ServersScreen';
import { SnapshotsScreen } from './features/snapshots/SnapshotsScreen';
import { SyncScreen } from './features/sync/SyncScreen';
import { SignInScreen } from './features/signin/SignInScreen';
import { UsersScreen } from './features/users/UsersScreen';

type ScreenId = 'servers' | 'sync' | 'history' | 'orgs' | 'roles' | 'users' | 'snapshots' | 'signin';

const SCREENS: { id: ScreenId; label: string }[] = [
  { id: 'servers', label: 'Servers' },
  { id: 'sync', label: 'Sync' },
  { id: 'history', label: 'History' },
  { id: 'orgs', label: 'Organizations' },
  { id: 'roles', label: 'Roles' },
  { id: 'users', label: 'Users' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'signin', label: 'Test sign-in' },
];

/** Runs of this process in progress (from the progress and finished events), for the Sync tab's mark. */
function useRunningCount(): number {
  const [running, setRunning] = useState<ReadonlySet<string>>(() => new Set());
  // A progress event that arrives after its run's end must not mark it running again.
  const finished = useRef(new Set<string>());
  useEffect(() => {
    const offProgress = subscribe('sync.progress', (p) => {
      if (p.phase === 'done' || finished.current.has(p.runId)) return;
      setRunning((s) => (s.has(p.runId) ? s : new Set(s).add(p.runId)));
    });
    const offFinished = subscribe('sync.finished', (run) => {
      finished.current.add(run.id);
      setRunning((s) => {
        if (!s.has(run.id)) return s;
        const next = new Set(s);
        next.delete(run.id);
        return next;
      });
      // A run (from this screen, the schedule or an approval) changed runs, users and organizations.
      notifyChanged('runs', 'users', 'orgs', 'roles');
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, []);
  return running.size;
}

/**
 * The application shell: the title bar with the screens' tabs, and the screens. A screen stays mounted
 * (hidden) once visited, so an unsaved server form, settings being edited or a run in progress are
 * kept while the admin looks elsewhere. Ctrl/Cmd+1…8 switch screens.
 */
export function App() {
  const [screen, setScreen] = useState<ScreenId>('servers');
  const [visited, setVisited] = useState<ReadonlySet<ScreenId>>(() => new Set<ScreenId>(['servers']));
  const [serversDirty, setServersDirty] = useState(false);
  const running = useRunningCount();

  const show = useCallback((id: ScreenId) => {
    setScreen(id);
    setVisited((v) => (v.has(id) ? v : new Set(v).add(id)));
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const index = Number(e.key) - 1;
      if (!Number.isInteger(index) || index < 0 || index >= SCREENS.length) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      show(SCREENS[index].id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [show]);

  const panel = (id: ScreenId, content: ReactNode) =>
    visited.has(id) && (
      <div key={id} className="app-screen" id={`screen-${id}`} hidden={screen !== id}>
        {content}
      </div>
    );

  return (
    <div className="app">
      <header className="app-header">
        <h1>LDAP Sync Studio</h1>
        <nav className="app-nav" aria-label="Screens">
          {SCREENS.map((s, i) => {
            const mark = s.id === 'servers' && serversDirty ? 'unsaved changes' : s.id === 'sync' && running > 0 ? 'running' : null;
            return (
              <button
                key={s.id}
                type="button"
                className={screen === s.id ? 'nav-tab nav-tab-current' : 'nav-tab'}
                aria-current={screen === s.id ? 'page' : undefined}
                aria-controls={visited.has(s.id) ? `screen-${s.id}` : undefined}
                title={`${s.label} (Ctrl+${i + 1})`}
                onClick={() => show(s.id)}
              >
                {s.label}
                {mark && (
                  <span className={`nav-mark nav-mark-${s.id}`} title={mark}>
                    <span className="visually-hidden"> ({mark})</span>
                  </span>
                )}
              </button>
            );
          })}
        </nav>
      </header>
      <main className="app-main">
        {panel('servers', <ServersScreen onDirtyChange={setServersDirty} />)}
        {panel('sync', <SyncScreen active={screen === 'sync'} serversDirty={serversDirty} />)}
        {panel('history', <HistoryScreen active={screen === 'history'} />)}
        {panel('orgs', <OrgsScreen active={screen === 'orgs'} />)}
        {panel('roles', <RolesScreen active={screen === 'roles'} />)}
        {panel('users', <UsersScreen active={screen === 'users'} />)}
        {panel('snapshots', <SnapshotsScreen active={screen === 'snapshots'} />)}
        {panel('signin', <SignInScreen active={screen === 'signin'} />)}
      </main>
    </div>
  );
}
