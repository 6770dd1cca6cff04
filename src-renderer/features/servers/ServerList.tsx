import type { LastTest, ServerView } from '../../../src-shared/domain/server';
import { formatDateTime, formatMatches, relativeTime } from '../../ui/format';
import { useNow } from '../../ui/use-now';

/** Props of {@link ServerList}. */
export interface ServerListProps {
  servers: ServerView[];
  selectedId: string | null;
  /** The bundled sample's server, marked in the list. */
  sampleId?: string | null;
  onSelect: (id: string) => void;
  onAdd: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

function Health({ test, now }: { test: LastTest | null; now: number }) {
  if (!test) return <div className="health muted">Not tested yet</div>;
  return (
    <div className="health">
      <span className={test.reachable ? 'ok' : 'bad'} data-testid="server-reachable">
        {test.reachable ? '✓ Reachable' : '✗ Unreachable'}
      </span>
      <span className={!test.reachable ? 'muted' : test.bindable ? 'ok' : 'bad'} data-testid="server-bind">
        {!test.reachable ? '– Bind not tried' : test.bindable ? '✓ Bind ok' : '✗ Bind failed'}
      </span>
      {test.matches !== null && <span>{formatMatches(test.matches)}</span>}
      <time dateTime={test.at} title={formatDateTime(test.at)} data-testid="server-tested">
        tested {relativeTime(test.at, now)}
      </time>
      {test.errorMessage && (
        <div className="health-error" title={test.errorMessage}>
          {test.errorMessage}
        </div>
      )}
    </div>
  );
}

/** The left column: "LDAP Servers" with each server's health, and the list actions. */
export function ServerList({ servers, selectedId, sampleId = null, onSelect, onAdd, onDuplicate, onDelete }: ServerListProps) {
  const now = useNow();
  return (
    <nav className="server-list" aria-labelledby="server-list-title">
      <div className="server-list-head">
        <h2 id="server-list-title">LDAP Servers</h2>
        <div className="toolbar">
          <button type="button" onClick={onAdd}>
            Add
          </button>
          <button type="button" onClick={onDuplicate} disabled={!selectedId}>
            Duplicate
          </button>
          <button type="button" onClick={onDelete} disabled={!selectedId}>
            Delete
          </button>
        </div>
      </div>
      {servers.length === 0 ? (
        <p className="muted server-list-empty">No servers saved yet.</p>
      ) : (
        <ul>
          {servers.map((server) => {
            const selected = server.id === selectedId;
            return (
              <li key={server.id} data-testid="server-item" className={selected ? 'server-item selected' : 'server-item'}>
                <div className="server-item-title">
                  <button type="button" className="server-name link" aria-current={selected ? 'true' : undefined} onClick={() => onSelect(server.id)}>
                    {server.name || '(unnamed server)'}
                  </button>
                  {server.id === sampleId && <span className="badge badge-info">Sample</span>}
                  {server.offline && (
                    <span className="badge badge-muted" title="Reads only its snapshot; never connects">
                      Offline
                    </span>
                  )}
                </div>
                <div className="server-url mono">{server.url}</div>
                {server.offline ? (
                  <div className="health muted" data-testid="server-offline">
                    Reads its snapshot; no connection
                  </div>
                ) : (
                  <Health test={server.lastTest} now={now} />
                )}
              </li>
            );
          })}
        </ul>
      )}
    </nav>
  );
}
