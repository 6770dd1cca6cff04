import type { ServerView } from '../../../src-shared/domain/server';
import { formatDateTime } from '../../ui/format';
import type { PasswordEdit, PasswordSource } from './form-model';

/** Props of {@link PasswordSection}. */
export interface PasswordSectionProps {
  saved: ServerView | null;
  password: PasswordEdit;
  /** Bind anonymously is on: no password is used. */
  disabled: boolean;
  error?: string;
  /** Saving will clear the stored password (host or bind DN changed). */
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
      return `From environment variable ${state.name}`;
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
  let stateText: string;
  if (stored) stateText = stored;
  else if (saved?.passwordClearedAt)
    stateText = `Password cleared on ${formatDateTime(saved.passwordClearedAt)} because the host or bind DN changed. Enter it again.`;
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
              <option value="keychain">OS keychain</option>
              <option value="env">Environment variable</option>
              <option value="file">File</option>
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
          {password.source === 'env' && (
            <div className="field">
              <label htmlFor="server-password-env" className="field-label">
                Environment variable name
              </label>
              <input
                id="server-password-env"
                type="text"
                autoComplete="off"
                spellCheck={false}
                placeholder="CORP_BIND_PASSWORD"
                value={password.envName}
                disabled={disabled}
                onChange={(e) => onChange({ envName: e.target.value })}
                onBlur={onBlur}
                {...a11y}
              />
            </div>
          )}
          {password.source === 'file' && (
            <div className="field">
              <label htmlFor="server-password-file" className="field-label">
                Password file path
              </label>
              <input
                id="server-password-file"
                type="text"
                autoComplete="off"
                spellCheck={false}
                placeholder="/etc/ldap-sync/bind-password"
                value={password.filePath}
                disabled={disabled}
                onChange={(e) => onChange({ filePath: e.target.value })}
                onBlur={onBlur}
                {...a11y}
              />
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
          Changing the host or bind DN clears the stored password, so it is never sent to another server. Enter it again.
        </p>
      )}
      {disabled && <p className="field-help">Not used while binding anonymously.</p>}
    </div>
  );
}
