import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { OrganizationView } from '../../../src-shared/domain/directory';
import type { SyncOverview, SyncSettings } from '../../../src-shared/domain/sync';
import { notifyChanged } from '../../ui/data-events';
import { ErrorBox } from '../../ui/ErrorBox';
import { NOTICE_MS } from '../../ui/use-notice';
import {
  describeEvery,
  draftOfSettings,
  sameSettings,
  settingsFieldOf,
  settingsOfDraft,
  UNIT_LABELS,
  type ScheduleUnit,
  type SettingsDraft,
  type SettingsField,
} from './settings-model';

/** Props of {@link SettingsForm}. */
export interface SettingsFormProps {
  /** The saved settings. */
  settings: SyncSettings;
  orgs: OrganizationView[] | null;
  onSaved: (overview: SyncOverview) => void;
}

function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p id={id} className="field-error">
      {error}
    </p>
  ) : null;
}

/**
 * The global sync settings: the schedule, the deactivation limits that hold a sync for approval, and
 * what sign-in does with registrants the directory does not find. Save (or Ctrl+S) / Revert; problems
 * show at their field.
 */
export function SettingsForm({ settings, orgs, onSaved }: SettingsFormProps) {
  // Null while the admin has not touched the form: it then follows the saved settings.
  const [edit, setEdit] = useState<SettingsDraft | null>(null);
  const [touched, setTouched] = useState(false);
  const [serverIssues, setServerIssues] = useState<Partial<Record<SettingsField, string>>>({});
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  // "Settings saved." goes after a few seconds: it is a confirmation, not a state.
  useEffect(() => {
    if (!saved) return;
    const timer = window.setTimeout(() => setSaved(false), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [saved]);

  const baseline = useMemo(() => draftOfSettings(settings), [settings]);
  const draft = edit ?? baseline;
  const { settings: next, issues } = useMemo(() => settingsOfDraft(draft), [draft]);
  const dirty = edit !== null && (Object.keys(issues).length > 0 || !sameSettings(next, settings));
  const errors: Partial<Record<SettingsField, string>> = { ...(touched ? issues : {}), ...serverIssues };

  const update = (patch: Partial<SettingsDraft>) => {
    setEdit({ ...draft, ...patch });
    setSaved(false);
    setFormError(null);
    const cleared = { ...serverIssues };
    for (const k of Object.keys(patch)) {
      if (k === 'everyN' || k === 'everyUnit' || k === 'scheduleMode') delete cleared.every;
      else if (k === 'rnfOrg' || k === 'rnfAction') delete cleared.org;
      else delete cleared[k as SettingsField];
    }
    setServerIssues(cleared);
  };

  const revert = () => {
    setEdit(null);
    setTouched(false);
    setServerIssues({});
    setFormError(null);
  };

  const save = async () => {
    if (saving || !dirty) return;
    setTouched(true);
    if (Object.keys(issues).length > 0) {
      setFormError({ code: 'INVALID_INPUT', message: 'Fix the highlighted settings before saving.' });
      return;
    }
    setSaving(true);
    setFormError(null);
    try {
      const overview = await call('sync.saveSettings', { settings: next });
      setEdit(null);
      setTouched(false);
      setServerIssues({});
      setSaved(true);
      onSaved(overview);
      notifyChanged('settings');
    } catch (e) {
      const info = errorInfoOf(e);
      const byField: Partial<Record<SettingsField, string>> = {};
      const other = [];
      for (const f of info.fields ?? []) {
        const field = settingsFieldOf(f.path);
        if (field && !byField[field]) byField[field] = f.message;
        else if (!field) other.push(f);
      }
      setServerIssues(byField);
      setFormError({ ...info, fields: other.length ? other : undefined });
    } finally {
      setSaving(false);
    }
  };
  const saveRef = useRef(save);
  saveRef.current = save;

  // Ctrl/Cmd+S saves while this screen is shown; closing the window with unsaved settings asks first.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== 's') return;
      if (!formRef.current || formRef.current.closest('[hidden]') || document.querySelector('dialog[open]')) return;
      e.preventDefault();
      void saveRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (!dirty) return;
    const guard = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [dirty]);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const localOrgs = (orgs ?? []).filter((o) => o.auth.kind === 'local');
  const ldapOrgNames = new Set((orgs ?? []).filter((o) => o.auth.kind === 'ldap').map((o) => o.name));
  const orgMissing = draft.rnfOrg !== '' && orgs !== null && !localOrgs.some((o) => o.name === draft.rnfOrg);
  const invalid = (f: SettingsField) => (errors[f] ? true : undefined);
  const describedBy = (f: SettingsField, help: string) => [errors[f] ? `settings-${f}-error` : '', help].filter(Boolean).join(' ');

  return (
    <form ref={formRef} className="panel settings-form" aria-labelledby="sync-settings-title" noValidate onSubmit={onSubmit} data-testid="sync-settings">
      <div className="panel-head">
        <h3 id="sync-settings-title">
          Settings
          {dirty && <span className="dirty-mark"> — unsaved changes</span>}
        </h3>
        <div className="toolbar">
          <button type="submit" className="primary" disabled={!dirty || saving} title="Save (Ctrl+S)">
            {saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={revert} disabled={!dirty || saving}>
            Revert
          </button>
        </div>
      </div>
      {formError && <ErrorBox error={formError} testId="settings-error" />}
      {saved && !dirty && (
        <p role="status" className="notice" data-testid="settings-saved">
          Settings saved.
        </p>
      )}

      <fieldset className="settings-group" disabled={saving}>
        <legend>Schedule</legend>
        <div className="radio-row">
          <input id="schedule-never" type="radio" name="schedule" checked={draft.scheduleMode === 'never'} onChange={() => update({ scheduleMode: 'never' })} />
          <label htmlFor="schedule-never">Never</label>
        </div>
        <div className="radio-row">
          <input id="schedule-every" type="radio" name="schedule" checked={draft.scheduleMode === 'every'} onChange={() => update({ scheduleMode: 'every' })} />
          <label htmlFor="schedule-every">Every</label>
          <input
            type="number"
            className="tiny"
            min={1}
            step={1}
            aria-label="Schedule interval"
            aria-invalid={invalid('every')}
            aria-describedby={describedBy('every', 'settings-every-help')}
            disabled={draft.scheduleMode !== 'every'}
            value={draft.everyN}
            onChange={(e) => update({ everyN: e.target.value })}
            onBlur={() => setTouched(true)}
          />
          <select
            aria-label="Schedule unit"
            className="auto-width"
            disabled={draft.scheduleMode !== 'every'}
            value={draft.everyUnit}
            onChange={(e) => update({ everyUnit: e.target.value as ScheduleUnit })}
          >
            {(Object.keys(UNIT_LABELS) as ScheduleUnit[]).map((u) => (
              <option key={u} value={u}>
                {UNIT_LABELS[u]}
              </option>
            ))}
          </select>
        </div>
        <FieldError id="settings-every-error" error={errors.every} />
        <p id="settings-every-help" className="field-help">
          {draft.scheduleMode === 'never'
            ? 'Servers are synchronized only when you press Synchronize now (or from the command line).'
            : `Synchronizes every server that manages users ${errors.every ? 'on this schedule' : describeEvery(next.every)}. Default: every 12 hours.`}
        </p>
      </fieldset>

      <fieldset className="settings-group" disabled={saving}>
        <legend>Deactivation limits</legend>
        <p className="field-help">A sync that goes over any limit changes nothing and is held until you review and approve its plan.</p>
        <div className="limit-row">
          <label htmlFor="limit-percent">More than</label>
          <input
            id="limit-percent"
            type="number"
            className="tiny"
            min={0}
            max={100}
            aria-invalid={invalid('percent')}
            aria-describedby={describedBy('percent', 'limit-percent-help')}
            value={draft.percent}
            onChange={(e) => update({ percent: e.target.value })}
            onBlur={() => setTouched(true)}
          />
          <span>% of managed users</span>
        </div>
        <FieldError id="settings-percent-error" error={errors.percent} />
        <p id="limit-percent-help" className="field-help">
          Holds a sync that would deactivate more than this share of the server's managed users.
        </p>
        <div className="limit-row">
          <label htmlFor="limit-count">More than</label>
          <input
            id="limit-count"
            type="number"
            className="tiny"
            min={0}
            step={1}
            aria-invalid={invalid('count')}
            aria-describedby={describedBy('count', 'limit-count-help')}
            value={draft.count}
            onChange={(e) => update({ count: e.target.value })}
            onBlur={() => setTouched(true)}
          />
          <span>users</span>
        </div>
        <FieldError id="settings-count-error" error={errors.count} />
        <p id="limit-count-help" className="field-help">
          Holds a sync that would deactivate more than this many users at once.
        </p>
        <div className="limit-row">
          <label htmlFor="limit-drop">Entries drop by</label>
          <input
            id="limit-drop"
            type="number"
            className="tiny"
            min={0}
            max={100}
            aria-invalid={invalid('dropPercent')}
            aria-describedby={describedBy('dropPercent', 'limit-drop-help')}
            value={draft.dropPercent}
            onChange={(e) => update({ dropPercent: e.target.value })}
            onBlur={() => setTouched(true)}
          />
          <span>% or more</span>
        </div>
        <FieldError id="settings-dropPercent-error" error={errors.dropPercent} />
        <p id="limit-drop-help" className="field-help">
          Holds a sync whose search returns this much fewer entries than the last successful sync (a moved OU, a changed filter).
        </p>
      </fieldset>

      <fieldset className="settings-group" disabled={saving}>
        <legend>Registrants not found</legend>
        <p className="field-help">What sign-in does with someone the directory search does not find.</p>
        <div className="radio-row">
          <input id="rnf-deny" type="radio" name="rnf" checked={draft.rnfAction === 'deny'} onChange={() => update({ rnfAction: 'deny' })} />
          <label htmlFor="rnf-deny">Deny registration</label>
        </div>
        <div className="radio-row">
          <input id="rnf-place" type="radio" name="rnf" checked={draft.rnfAction === 'placeInOrg'} onChange={() => update({ rnfAction: 'placeInOrg' })} />
          <label htmlFor="rnf-place">Place in organization</label>
          <select
            aria-label="Organization for registrants not found"
            aria-invalid={invalid('org')}
            aria-describedby={describedBy('org', 'rnf-org-help')}
            className="auto-width"
            disabled={draft.rnfAction !== 'placeInOrg'}
            value={draft.rnfOrg}
            onChange={(e) => update({ rnfOrg: e.target.value })}
          >
            <option value="">Choose…</option>
            {orgMissing && <option value={draft.rnfOrg}>{draft.rnfOrg} ({ldapOrgNames.has(draft.rnfOrg) ? 'signs in with LDAP' : 'not found'})</option>}
            {localOrgs.map((o) => (
              <option key={o.id} value={o.name}>
                {o.name}
              </option>
            ))}
          </select>
        </div>
        <FieldError id="settings-org-error" error={errors.org} />
        <p id="rnf-org-help" className="field-help">
          {localOrgs.length === 0 && orgs !== null
            ? 'No organization signs in locally yet: create one on the Organizations screen to place registrants there.'
            : 'Only organizations with local sign-in are offered: an LDAP organization would need the directory to know them.'}
        </p>
      </fieldset>
    </form>
  );
}
