import type { InputHTMLAttributes, ReactNode } from 'react';

/** The attributes that tie an input to its label, help text and error. */
export interface FieldControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** Props of {@link Field}. */
export interface FieldProps {
  id: string;
  label: string;
  help?: ReactNode;
  error?: string;
  /** Shown under the input and the error (e.g. the derived username attribute). */
  extra?: ReactNode;
  /** Renders the control with the wiring attributes spread onto it. */
  children: (control: FieldControlProps) => ReactNode;
}

/** A labelled form row: label, control, help text and the field's error, linked for assistive tech. */
export function Field({ id, label, help, error, extra, children }: FieldProps) {
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [errorId, helpId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {help && (
        <p id={helpId} className="field-help">
          {help}
        </p>
      )}
      {extra}
    </div>
  );
}

/** Props of {@link Switch}. */
export interface SwitchProps {
  id: string;
  label: string;
  checked: boolean;
  disabled?: boolean;
  help?: ReactNode;
  error?: string;
  onChange: (checked: boolean) => void;
}

/** An on/off setting: a checkbox with the switch role, its label to the right. */
export function Switch({ id, label, checked, disabled, help, error, onChange }: SwitchProps) {
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={error ? 'field field-switch field-invalid' : 'field field-switch'}>
      <input
        id={id}
        type="checkbox"
        role="switch"
        checked={checked}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, helpId].filter(Boolean).join(' ') || undefined}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      {help && (
        <p id={helpId} className="field-help">
          {help}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** A one-line text input for machine text (URLs, DNs, filters, attribute names): monospace, no autocorrect. */
export function CodeInput(props: InputHTMLAttributes<HTMLInputElement>) {
  return <input type="text" autoComplete="off" spellCheck={false} className="mono" {...props} />;
}
