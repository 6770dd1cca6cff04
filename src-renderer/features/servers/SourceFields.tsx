import { snapshotOptionText } from '../snapshots/snapshot-format';
import { useSnapshots } from '../snapshots/use-snapshots';
import { Field, Switch } from './Field';
import type { ServerForm } from './use-server-form';

/**
 * The server's Source section: Offline (no connection at all: previews and simulations read only the
 * attached snapshot; never synchronized) and the attached snapshot, which previews and draft
 * simulations of a connected server can also read instead of the live directory.
 */
export function SourceFields({ form }: { form: ServerForm }) {
  const { draft, errors } = form;
  const snapshots = useSnapshots();
  const list = snapshots.data ?? [];
  const attachedMissing = draft.snapshotId !== null && snapshots.data !== null && !list.some((s) => s.id === draft.snapshotId);
  return (
    <section className="source-section" aria-labelledby="source-heading" data-testid="source-section">
      <h3 id="source-heading">Source</h3>
      <Switch
        id="server-offline"
        label="Offline (no connection: this server reads only its snapshot)"
        checked={draft.offline}
        error={errors.offline}
        help={
          draft.offline
            ? 'Previews and simulations read the attached snapshot. An offline server is never synchronized or scheduled.'
            : 'Turn on to author mappings and scripts with no directory reachable, over a snapshot.'
        }
        onChange={(checked) => {
          form.setField('offline', checked);
          form.touch('snapshotId');
        }}
      />
      <Field
        id="server-snapshot"
        label="Attached snapshot"
        error={errors.snapshotId ?? (snapshots.error ? `Could not load the snapshots: ${snapshots.error.message}` : undefined)}
        help={
          list.length === 0 && snapshots.data
            ? 'No snapshots yet: capture one from a server or import an LDIF file on the Snapshots screen.'
            : draft.offline
              ? 'The only source of this offline server.'
              : 'Attach a snapshot to preview and simulate over it instead of the live directory (the preview chooses).'
        }
        extra={
          attachedMissing && (
            <p className="field-warning" data-testid="snapshot-missing">
              The attached snapshot no longer exists. Choose another one.
            </p>
          )
        }
      >
        {(a11y) => (
          <select
            {...a11y}
            value={draft.snapshotId ?? ''}
            onChange={(e) => form.setField('snapshotId', e.target.value === '' ? null : e.target.value)}
            onBlur={() => form.touch('snapshotId')}
            onFocus={() => void snapshots.reload()}
          >
            <option value="">(none)</option>
            {attachedMissing && <option value={draft.snapshotId!}>(deleted snapshot)</option>}
            {list.map((s) => (
              <option key={s.id} value={s.id}>
                {snapshotOptionText(s)}
              </option>
            ))}
          </select>
        )}
      </Field>
    </section>
  );
}
