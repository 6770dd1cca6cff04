import { useState } from 'react';
import type { ServerView } from '../../../src-shared/domain/server';
import { call, errorInfoOf } from '../../api';
import { formatDateTime } from '../../ui/format';
import type { PasswordEdit, PasswordSource } from './form-model';

/** Props of {@link PasswordSection}. */
export interface PasswordSectionProps {
  saved: ServerView | null;
  password: PasswordEdit;
  /** Bind anonymously is on: no password is used. */
  disabled: boolean;
  error?: string;
  /** Saving will clear the stored password (scheme, host, port, TLS mode or bind DN changed). */
  willClear: boolean;
  onChange: (patch: Partial<PasswordEdit>) => void;
  onEdit: () => void;
  onCancelEdit: () => void;
  onBlur: () => void;
}

/** Words for where the stored password lives; null when none is stored. */
function storedText(saved: ServerView): string | null {
  const state = saved.password;
  switch (state.kind) {
    case 'keychain':
      return 'Password stored in the OS keychain';
    case 'env':
      return `From environment variable ${state.name} (set by a config file)`;
    case 'file':
      return `From file ${state.path}`;
    case 'none':
      return null;
  }
}

/**
 * The bind password, write-only: a stored password is described (where it lives), never shown; a new
 * one can be typed only after Edit, and the typed value never leaves the form except in test/save calls.
 */
export function PasswordSection(props: PasswordSectionProps) {
  const { saved, password, disabled, error, willClear, onChange, onEdit, onCancelEdit, onBlur } = props;
  const stored = saved ? storedText(saved) : null;
  const errorId = error ? 'server-password-error' : undefined;
  const describedBy = [errorId, 'server-password-state'].filter(Boolean).join(' ');
  const a11y = { 'aria-invalid': error ? (true as const) : undefined, 'aria-describedby': describedBy };

  const typingValue = password.editing && password.source === 'keychain';
  const [choosing, setChoosing] = useState(false);
  const [chooseError, setChooseError] = useState<string | null>(null);
  /** Main's file dialog: the window gets the chosen path to show and a token to pass back, never a path it typed. */
  const chooseFile = async () => {
    setChoosing(true);
    setChooseError(null);
    try {
      const chosen = await call('servers.choosePasswordFile', {});
      if (chosen) onChange({ file: chosen });
    } catch (err) {
      setChooseError(errorInfoOf(err).message);
    } finally {
      setChoosing(false);
    }
  };
  let stateText: string;
  if (stored) stateText = stored;
  else if (saved?.passwordClearedAt)
    stateText = `Password cleared on ${formatDateTime(saved.passwordClearedAt)} because the scheme, host, port, TLS mode or bind DN changed. Enter it again.`;
  else stateText = saved ? 'No password stored' : 'No password yet';

  return (
    <div className={error ? 'field password-section field-invalid' : 'field password-section'}>
      {typingValue ? (
        <label htmlFor="server-password" className="field-label">
          Bind password
        </label>
      ) : (
        <span className="field-label">Bind password</span>
      )}
      <div className="password-state-row">
        <p id="server-password-state" data-testid="password-state" className={saved?.passwordClearedAt && !stored ? 'password-state warning-text' : 'password-state'}>
          {stateText}
        </p>
        {stored && !password.editing && (
          <button type="button" onClick={onEdit} disabled={disabled}>
            Edit
          </button>
        )}
        {stored && password.editing && (
          <button type="button" onClick={onCancelEdit} disabled={disabled}>
            Keep stored password
          </button>
        )}
      </div>

      {password.editing && (
        <div className="password-edit">
          <div className="field">
            <label htmlFor="server-password-source" className="field-label">
              Password source
            </label>
            <select
              id="server-password-source"
              value={password.source}
              disabled={disabled}
              onChange={(e) => onChange({ source: e.target.value as PasswordSource })}
            >
              <option value="keychain">Type it (kept in the OS keychain)</option>
              <option value="file">A file on this computer</option>
            </select>
          </div>
          {password.source === 'keychain' && (
            <div className="field">
              <input
                id="server-password"
                type="password"
                autoComplete="off"
                spellCheck={false}
                value={password.value}
                disabled={disabled}
                onChange={(e) => onChange({ value: e.target.value })}
                onBlur={onBlur}
                {...a11y}
              />
            </div>
          )}
          {password.source === 'file' && (
            <div className="field">
              <span className="field-label">Password file</span>
              <div className="password-file-row">
                <span data-testid="password-file" className="password-file-path">
                  {password.file ? password.file.path : 'No file chosen'}
                </span>
                <button type="button" disabled={disabled || choosing} onClick={() => void chooseFile()}>
                  {choosing ? 'Choosing…' : 'Choose file…'}
                </button>
              </div>
              <p className="field-help">
                Read by the app each time it binds (first line, at most 64 KiB). The file is chosen here, in the system dialog,
                never typed. Environment variables are set with a config file (ldap-sync config apply).
              </p>
              {chooseError && <p className="field-error">{chooseError}</p>}
            </div>
          )}
        </div>
      )}

      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
      {willClear && !disabled && (
        <p className="field-warning" data-testid="password-clear-warning">
          Changing the scheme, host, port, TLS mode or bind DN clears the stored password, so it is never sent anywhere it was not saved for (ldap:// would send it in clear text). Enter it again.
        </p>
      )}
      {disabled && <p className="field-help">Not used while binding anonymously.</p>}
    </div>
  );
}
