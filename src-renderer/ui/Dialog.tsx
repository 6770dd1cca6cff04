import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';

/** Props of {@link Dialog}. */
export interface DialogProps {
  title: string;
  /** Called on Esc and by the caller's own buttons; the caller then unmounts the dialog. */
  onClose: () => void;
  children: ReactNode;
  /** The dialog's buttons, in tab order; the first one gets the initial focus, so put the safe one first. */
  actions: ReactNode;
  testId?: string;
  /** Extra class for the <dialog>, e.g. `dialog-wide`. */
  className?: string;
}

/**
 * A modal confirmation built on the native `<dialog>`: the browser traps focus, makes the page behind
 * it inert, closes on Esc (routed to `onClose`) and returns focus to where it was.
 */
export function Dialog({ title, onClose, children, actions, testId, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  // A layout effect, so that on unmount close() runs while the element is still attached and the
  // browser can restore focus to the control that opened the dialog.
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => {
      if (el?.open) el.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={className ? `dialog ${className}` : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId} className="dialog-title">
        {title}
      </h2>
      <div id={bodyId} className="dialog-body">
        {children}
      </div>
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}
