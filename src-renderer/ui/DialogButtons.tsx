import type { ReactNode } from 'react';

/** Props of {@link DialogButtons}. */
export interface DialogButtonsProps {
  /** Called by the first, safe button. */
  onCancel: () => void;
  /** Text of the safe button; `Cancel` unless given. */
  cancelLabel?: ReactNode;
  cancelDisabled?: boolean;
  /** Called by the confirm button; leave out with `submitForm`. */
  onConfirm?: () => void;
  /** Makes the confirm button submit the form with this id instead of calling `onConfirm`. */
  submitForm?: string;
  confirmLabel: ReactNode;
  /** Class of the confirm button; `primary` unless given. */
  confirmClassName?: string;
  confirmDisabled?: boolean;
}

/** The usual actions of a {@link Dialog}: a safe cancel button first (it gets the focus), then the confirm button. */
export function DialogButtons({
  onCancel,
  cancelLabel = 'Cancel',
  cancelDisabled,
  onConfirm,
  submitForm,
  confirmLabel,
  confirmClassName = 'primary',
  confirmDisabled,
}: DialogButtonsProps) {
  return (
    <>
      <button type="button" onClick={onCancel} disabled={cancelDisabled}>
        {cancelLabel}
      </button>
      {submitForm !== undefined ? (
        <button type="submit" form={submitForm} className={confirmClassName} disabled={confirmDisabled}>
          {confirmLabel}
        </button>
      ) : (
        <button type="button" className={confirmClassName} onClick={onConfirm} disabled={confirmDisabled}>
          {confirmLabel}
        </button>
      )}
    </>
  );
}
