import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { CertificateInfo } from '../../../src-shared/domain/doctor';
import type { ScriptName } from '../../../src-shared/domain/mapping';
import type { ServerDraft, ServerView } from '../../../src-shared/domain/server';
import { PreviewPane } from '../preview/PreviewPane';
import type { RawContext } from '../preview/use-raw-entry';
import { usePreview } from '../preview/use-preview';
import { ScriptsPanel } from '../scripts/ScriptsPanel';
import { DoctorPanel } from './DoctorPanel';
import { MappingFields } from './MappingFields';
import { ServerFields } from './ServerFields';
import { SyncFields } from './SyncFields';
import { TrustedCertificateList } from './TrustedCertificateList';
import { useDoctor } from './use-doctor';
import { useServerForm } from './use-server-form';

/** Props of {@link ServerEditor}. */
export interface ServerEditorProps {
  /** The saved server to edit, or null for a new one. Read once: the editor owns its state from then on. */
  initial: ServerView | null;
  onSaved: (server: ServerView) => void;
  /** A test of a saved server finished (its last-test health changed). */
  onTested: () => void;
  onDirtyChange: (dirty: boolean) => void;
}

const CONNECTION_HINT = 'Enter a URL with a search base, a bind DN (or bind anonymously) and a valid search filter to see how entries become users.';
const PASSWORD_HINT = 'Enter the bind password to see how entries become users.';

/**
 * A server's page, in three parts side by side: the doctor and setup form (connection, bind, filter,
 * timeout, attribute mapping), the script editors, and the live preview of the unsaved form.
 */
export function ServerEditor({ initial, onSaved, onTested, onDirtyChange }: ServerEditorProps) {
  const form = useServerForm(initial, onSaved);
  const doctor = useDoctor();
  const { dirty } = form;
  const serverId = form.saved?.id;
  const needsPassword = !form.saved && !form.draft.bindAnonymously && form.passwordInput.kind === 'none';
  const previewHint = !form.previewReady ? CONNECTION_HINT : needsPassword ? PASSWORD_HINT : null;
  const preview = usePreview({ serverId, draft: form.submitDraft, password: form.passwordInput, ready: previewHint === null });

  // The raw view reads the entry with the same session, draft and password as the preview shows.
  const rawInputs = useRef<RawContext | null>(null);
  rawInputs.current = previewHint === null ? { sessionId: preview.sessionId, ...(serverId ? { serverId } : {}), draft: form.submitDraft, password: form.passwordInput } : null;
  const rawContext = useCallback(() => rawInputs.current, []);

  // The form column can be folded away to give the scripts and the preview room; an error brings it back.
  const [formHidden, setFormHidden] = useState(false);
  if (formHidden && form.formError) setFormHidden(false);

  const scriptErrors: Partial<Record<ScriptName, string>> = {
    active: form.errors['scripts.active'],
    orgName: form.errors['scripts.orgName'],
    roleName: form.errors['scripts.roleName'],
  };

  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);

  // Closing or reloading the window with unsaved changes asks first (main shows the dialog).
  useEffect(() => {
    if (!dirty) return;
    const guard = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [dirty]);

  const runTest = useCallback(
    async (draft: ServerDraft = form.submitDraft) => {
      if (doctor.state.running || !form.readyForTest()) return;
      form.clearFormError();
      const serverId = form.saved?.id;
      const outcome = await doctor.run({ ...(serverId ? { serverId } : {}), draft, password: form.passwordInput });
      if (outcome.error?.fields?.length) form.showServerIssues(outcome.error.fields);
      if (serverId && (outcome.report || outcome.error)) onTested();
    },
    [form, doctor, onTested],
  );

  const trust = useCallback(
    (cert: CertificateInfo) => {
      const next = form.addTrustedCertificate(cert);
      void runTest(next);
    },
    [form, runTest],
  );

  // Ctrl/Cmd+S saves from anywhere on the page, unless a dialog is open on top of the form.
  const saveRef = useRef(form.save);
  saveRef.current = form.save;
  const sectionRef = useRef<HTMLElement>(null);
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.key.toLowerCase() !== 's') return;
      // Another screen is shown (this one stays mounted, hidden, to keep the unsaved form): its own Ctrl+S applies.
      if (!sectionRef.current || sectionRef.current.closest('[hidden]')) return;
      e.preventDefault();
      if (document.querySelector('dialog[open]')) return;
      void saveRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Enter in any field runs Test (buttons keep their own Enter).
  const onFormKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.key !== 'Enter' || e.nativeEvent.isComposing || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement;
    if (target.tagName !== 'INPUT' && target.tagName !== 'SELECT') return;
    // In an attribute picker Enter may be choosing a suggestion.
    if (target.hasAttribute('list')) return;
    e.preventDefault();
    void runTest();
  };

  const trustedFingerprints = useMemo(() => new Set(form.draft.trustedCertificates.map((c) => c.fingerprint256)), [form.draft.trustedCertificates]);
  const title = form.saved ? form.saved.name || '(unnamed server)' : 'New server';

  return (
    <section ref={sectionRef} className="editor editor-page" aria-labelledby="editor-title">
      <header className="editor-head">
        <h2 id="editor-title">
          {title}
          {dirty && <span className="dirty-mark"> — unsaved changes</span>}
        </h2>
        <div className="toolbar">
          <button type="button" aria-expanded={!formHidden} aria-controls="server-form-column" onClick={() => setFormHidden((h) => !h)}>
            {formHidden ? 'Show form' : 'Hide form'}
          </button>
          <button type="button" onClick={() => void runTest()} disabled={doctor.state.running || form.saving}>
            Test
          </button>
          <button type="button" className="primary" onClick={() => void form.save()} disabled={form.saving || (!!form.saved && !dirty)} title="Save (Ctrl+S)">
            {form.saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={form.discard} disabled={!dirty || form.saving}>
            Discard changes
          </button>
        </div>
      </header>

      {form.formError && (
        <div role="alert" className="form-error" data-testid="form-error">
          <p>{form.formError.message}</p>
          {(form.formError.fields?.length ?? 0) > 0 && (
            <ul>
              {form.formError.fields!.map((f, i) => (
                <li key={`${f.path}-${i}`}>
                  <span className="mono">{f.path.replace(/^draft\./, '')}</span>: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {form.notice && (
        <p role="status" className={form.notice === 'password-cleared' ? 'notice warning-text' : 'notice'} data-testid={form.notice === 'password-cleared' ? 'password-cleared-notice' : 'save-notice'}>
          {form.notice === 'password-cleared'
            ? 'Saved. The stored password was cleared because the host or bind DN changed, so it is never sent to another server. Enter it again.'
            : 'Saved.'}
        </p>
      )}

      <div className={formHidden ? 'editor-body form-hidden' : 'editor-body'}>
        <div className="editor-col editor-col-form" id="server-form-column">
          <DoctorPanel state={doctor.state} onCancel={() => void doctor.cancel()} onTrust={trust} trustedFingerprints={trustedFingerprints} />

          <form className="server-form" aria-label="Server setup" noValidate onKeyDown={onFormKeyDown} onSubmit={(e) => e.preventDefault()}>
            <fieldset disabled={form.saving}>
              <legend className="visually-hidden">Connection</legend>
              <ServerFields form={form} />
              <MappingFields form={form} attributes={preview.attributes} />
              <SyncFields form={form} />
            </fieldset>
          </form>

          <TrustedCertificateList certificates={form.draft.trustedCertificates} error={form.errors.trustedCertificates} onRemove={form.removeTrustedCertificate} />
          {form.otherIssues.length > 0 && !form.formError && (
            <ul className="form-error">
              {form.otherIssues.map((f, i) => (
                <li key={`${f.path}-${i}`}>{f.message}</li>
              ))}
            </ul>
          )}
        </div>
        <div className="editor-col editor-col-scripts">
          <ScriptsPanel
            scripts={form.draft.scripts}
            onChange={form.setScript}
            preview={preview.result}
            attributes={preview.attributes}
            errors={scriptErrors}
            disabled={form.saving}
          />
        </div>
        <div className="editor-col editor-col-preview">
          <PreviewPane preview={preview} hint={previewHint} rawContext={rawContext} />
        </div>
      </div>
    </section>
  );
}
