import { useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationView } from '../../../src-shared/domain/directory';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { ErrorBox } from '../../ui/ErrorBox';

/** Props of {@link RotateKeyDialog}. */
export interface RotateKeyDialogProps {
  org: OrganizationView;
  onClose: () => void;
  onRotated: (org: OrganizationView) => void;
}

/** Asks before giving an organization a new registration key: the old key stops working at once. */
export function RotateKeyDialog({ org, onClose, onRotated }: RotateKeyDialogProps) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const rotate = async () => {
    if (busy) return;
    setBusy(true);
    try {
      onRotated(await call('orgs.rotateKey', { id: org.id }));
    } catch (err) {
      setError(errorInfoOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <ConfirmDialog
      title="Rotate the registration key?"
      testId="rotate-key-dialog"
      onClose={onClose}
      onConfirm={() => void rotate()}
      confirmLabel="Rotate key"
      confirmDisabled={busy}
    >
      <p>
        <strong className="truncate long-name" title={org.name}>
          {org.name}
        </strong>{' '}
        gets a new registration key. The current key <code className="reg-key-old">{org.registrationKey}</code> stops working at once: anyone who has it can no longer
        register with it. Users already registered are not affected.
      </p>
      {error && <ErrorBox error={error} lead="Not rotated:" />}
    </ConfirmDialog>
  );
}
