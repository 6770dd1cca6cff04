import type { ScriptLog } from '../../../src-shared/domain/scripts';
import { SCRIPT_META } from './script-meta';

/** Props of {@link ScriptOutput}. */
export interface ScriptOutputProps {
  /** console.log lines of the current preview page; null before the first preview. */
  logs: readonly ScriptLog[] | null;
}

/** The Output panel: what the scripts wrote with console.log on the current preview page, with each entry's DN. */
export function ScriptOutput({ logs }: ScriptOutputProps) {
  return (
    <section className="script-output" aria-labelledby="script-output-heading">
      <h3 id="script-output-heading">Output</h3>
      <div className="script-output-body" data-testid="script-output" tabIndex={0}>
        {!logs || logs.length === 0 ? (
          <p className="muted">{logs ? 'No console.log output on this page.' : 'console.log output of the scripts appears here when the preview runs.'}</p>
        ) : (
          <ol className="log-lines">
            {logs.map((log, i) => (
              <li key={i} className="log-line" data-testid="script-log">
                <span className="log-script">{SCRIPT_META[log.script]?.short ?? log.script}</span>
                <span className="log-dn mono">{log.dn}</span>
                <span className="log-text mono">{log.text}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </section>
  );
}
