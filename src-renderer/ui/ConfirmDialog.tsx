import type { ReactNode } from 'react';
import { Dialog } from './Dialog';
import { DialogButtons } from './DialogButtons';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps {
  title: string;
  testId?: string;
  /** Called on Esc and by the cancel button; the caller then unmounts the dialog. */
  onClose: () => void;
  /** Called by the confirm button. */
  onConfirm: () => void;
  /** Text of the confirm button, e.g. `Delete`. */
  confirmLabel: ReactNode;
  /** Class of the confirm button; `danger` unless given. */
  confirmClassName?: string;
  confirmDisabled?: boolean;
  /** Text of the cancel button; `Cancel` unless given. */
  cancelLabel?: ReactNode;
  children: ReactNode;
}

/** A {@link Dialog} asking to confirm one action: a safe cancel button first, then the confirm button. */
export function ConfirmDialog({ title, testId, onClose, onConfirm, confirmLabel, confirmClassName = 'danger', confirmDisabled, cancelLabel, children }: ConfirmDialogProps) {
  return (
    <Dialog
      title={title}
      testId={testId}
      onClose={onClose}
      actions={
        <DialogButtons
          onCancel={onClose}
          cancelLabel={cancelLabel}
          onConfirm={onConfirm}
          confirmLabel={confirmLabel}
          confirmClassName={confirmClassName}
          confirmDisabled={confirmDisabled}
        />
      }
    >
      {children}
    </Dialog>
  );
}
