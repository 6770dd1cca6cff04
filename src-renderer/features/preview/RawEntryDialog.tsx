import type { RawEntry, RawValue } from '../../../src-shared/domain/preview';
import { adBinaryText } from '../../../src-shared/ldap/ad-binary';
import { Dialog } from '../../ui/Dialog';
import { formatCount } from '../../ui/format';
import type { RawState } from './use-raw-entry';

function Value({ value, name }: { value: RawValue; name: string }) {
  if (value.kind === 'text') return <div className="raw-text mono">{value.text}</div>;
  // objectSid / objectGUID (and the like) as AD tools show them, the bytes still below.
  const text = adBinaryText(name, value.base64);
  return (
    <div className="raw-binary">
      {text && (
        <div className="raw-text mono" data-testid="raw-ad-text">
          {text}
        </div>
      )}
      <span className="muted">
        {formatCount(value.size)} {value.size === 1 ? 'byte' : 'bytes'} (binary, base64):
      </span>
      <pre className="raw-base64 mono">{value.base64}</pre>
    </div>
  );
}

/** The raw view: every attribute of one entry as the server returned it; binary values as size plus base64 (SIDs and GUIDs also as text). */
export function RawEntryDialog({ state, onClose, onAddTestCase }: { state: RawState; onClose: () => void; onAddTestCase?: (entry: RawEntry) => void }) {
  const { dn, entry, error } = state;
  return (
    <Dialog
      title="Raw attributes"
      testId="raw-view"
      className="dialog-wide"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Close
          </button>
          {onAddTestCase && (
            <button type="button" disabled={!entry} onClick={() => entry && onAddTestCase(entry)} title="Add this entry as a test case of each script, expecting what the scripts return for it now">
              Add as test case
            </button>
          )}
        </>
      }
    >
      <p className="mono raw-dn">{entry?.dn ?? dn}</p>
      {error && (
        <p role="alert" className="form-error">
          {error.message}
        </p>
      )}
      {!entry && !error && (
        <p role="status" className="muted">
          Reading the entry…
        </p>
      )}
      {entry && (
        <table className="raw-table">
          <thead>
            <tr>
              <th scope="col">Attribute</th>
              <th scope="col">Values</th>
            </tr>
          </thead>
          <tbody>
            {entry.attributes.map((attr) => (
              <tr key={attr.name} data-testid="raw-attribute" data-name={attr.name}>
                <th scope="row" className="mono">
                  {attr.name}
                </th>
                <td>
                  {attr.values.map((v, i) => (
                    <Value key={i} value={v} name={attr.name} />
                  ))}
                  {attr.values.length === 0 && <span className="muted">(no values)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entry?.groups && (
        <section className="raw-groups" data-testid="raw-groups" aria-label="Groups">
          <h3>Groups (direct and nested, nearest first: what the scripts' groups helpers see)</h3>
          {entry.groups.length === 0 ? (
            <p className="muted">In no group.</p>
          ) : (
            <ul>
              {entry.groups.map((g) => (
                <li key={g} className="mono">
                  {g}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </Dialog>
  );
}
