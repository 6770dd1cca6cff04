import { presetOfDraft, SERVER_PRESETS } from '../../../src-shared/domain/presets';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MIN_PAGE_SIZE } from '../../../src-shared/domain/server';
import { isPlainLdap } from './form-model';
import { Field, Switch, CodeInput } from './Field';
import { PasswordSection } from './PasswordSection';
import { PresetPicker } from './PresetPicker';
import { SourceFields } from './SourceFields';
import { UrlField } from './UrlField';
import type { ServerForm } from './use-server-form';

/**
 * The setup form's inputs, in the reference product's order (name, URL, bind, filter, timeout), with the
 * presets and the Source section after the name. An offline server never connects: its TLS, bind and timeout fields are
 * disabled, and the URL only gives the search base.
 */
export function ServerFields({ form }: { form: ServerForm }) {
  const { draft, errors } = form;
  const plainLdap = isPlainLdap(draft.url);
  const offline = draft.offline;
  return (
    <div className="server-fields">
      <Field id="server-name" label="Server name" error={errors.name}>
        {(a11y) => (
          <input
            {...a11y}
            type="text"
            autoComplete="off"
            value={draft.name}
            placeholder="Corporate directory"
            onChange={(e) => form.setField('name', e.target.value)}
            onBlur={() => form.touch('name')}
          />
        )}
      </Field>

      <PresetPicker form={form} />

      <SourceFields form={form} />

      {offline && (
        <p className="notice offline-note" data-testid="offline-note">
          Offline: no connection is ever made. The URL only gives the search base, the search filter is evaluated on the snapshot, and StartTLS, bind
          and timeout are not used.
        </p>
      )}

      <UrlField form={form} />

      <Switch
        id="server-starttls"
        label="StartTLS"
        checked={draft.startTls}
        disabled={!plainLdap || offline}
        help={plainLdap ? 'Upgrade the ldap:// connection to TLS before binding.' : 'Only for ldap:// URLs; ldaps:// is encrypted from the start.'}
        error={errors.startTls}
        onChange={(checked) => form.setField('startTls', checked)}
      />

      <Switch
        id="server-anonymous"
        label="Bind anonymously"
        checked={draft.bindAnonymously}
        disabled={offline}
        error={errors.bindAnonymously}
        onChange={(checked) => form.setField('bindAnonymously', checked)}
      />

      <Field id="server-bind-dn" label="Bind DN" error={errors.bindDn} help={draft.bindAnonymously ? 'Not used while binding anonymously.' : undefined}>
        {(a11y) => (
          <CodeInput
            {...a11y}
            value={draft.bindDn}
            disabled={draft.bindAnonymously || offline}
            placeholder={presetOfDraft(draft) === 'active-directory' ? `${SERVER_PRESETS['active-directory'].bindDnExample} or EXAMPLE\\svc-sync` : 'cn=sync,ou=services,dc=example,dc=com'}
            onChange={(e) => form.setField('bindDn', e.target.value)}
            onBlur={() => form.touch('bindDn')}
          />
        )}
      </Field>

      <PasswordSection
        saved={form.saved}
        password={form.password}
        disabled={draft.bindAnonymously || offline}
        error={errors.password}
        willClear={form.passwordWillClear}
        onChange={form.updatePassword}
        onEdit={form.startPasswordEdit}
        onCancelEdit={form.cancelPasswordEdit}
        onBlur={() => form.touch('password')}
      />

      <Field
        id="server-filter"
        label="Search filter"
        error={errors.searchFilter}
        help={
          <>
            <code>?</code> stands for the username; the attribute in <code>(attr=?)</code> becomes the username attribute
          </>
        }
        extra={
          form.usernameAttribute && (
            <p className="derived" data-testid="username-attribute">
              Username attribute: <code>{form.usernameAttribute}</code>
            </p>
          )
        }
      >
        {(a11y) => (
          <CodeInput
            {...a11y}
            value={draft.searchFilter}
            placeholder="(&(objectClass=inetOrgPerson)(uid=?))"
            onChange={(e) => form.setField('searchFilter', e.target.value)}
            onBlur={() => form.touch('searchFilter')}
          />
        )}
      </Field>

      <Field id="server-timeout" label="Timeout seconds" error={errors.timeoutSeconds}>
        {(a11y) => (
          <input
            {...a11y}
            type="number"
            inputMode="numeric"
            min={1}
            max={3600}
            step={1}
            className="narrow"
            disabled={offline}
            value={form.timeoutText}
            onChange={(e) => form.setTimeoutText(e.target.value)}
            onBlur={() => form.touch('timeoutSeconds')}
          />
        )}
      </Field>

      <Field
        id="server-page-size"
        label="Directory page size"
        error={errors.pageSize}
        help="Entries per page of every read (10 to 5000). 389-ds applies its size limit per page: if the connection test suggests a smaller page, enter it here."
      >
        {(a11y) => (
          <input
            {...a11y}
            type="number"
            inputMode="numeric"
            min={MIN_PAGE_SIZE}
            max={MAX_PAGE_SIZE}
            step={1}
            className="narrow"
            disabled={offline}
            value={draft.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number.isNaN(draft.pageSize) ? '' : draft.pageSize}
            onChange={(e) => form.setField('pageSize', e.target.value.trim() === '' ? Number.NaN : Number(e.target.value))}
            onBlur={() => form.touch('pageSize')}
          />
        )}
      </Field>
    </div>
  );
}
