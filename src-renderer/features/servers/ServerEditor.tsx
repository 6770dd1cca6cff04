import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { call } from '../../api';
import type { CertificateInfo } from '../../../src-shared/domain/doctor';
import type { ScriptName } from '../../../src-shared/domain/mapping';
import type { PreviewRow, RawEntry } from '../../../src-shared/domain/preview';
import type { ServerDraft, ServerView } from '../../../src-shared/domain/server';
import type { EntrySourceRef } from '../../../src-shared/domain/snapshot';
import { PreviewPane } from '../preview/PreviewPane';
import type { RawContext } from '../preview/use-raw-entry';
import { usePreview } from '../preview/use-preview';
import { ScriptsPanel } from '../scripts/ScriptsPanel';
import { SCRIPT_META } from '../scripts/script-meta';
import { casesFromRow, testEntryOf } from '../scripts/test-case-model';
import { useSnapshots } from '../snapshots/use-snapshots';
import { DraftSimulationDialog } from '../sync/DraftSimulationDialog';
import { useDraftSimulation } from '../sync/use-draft-simulation';
import { SplitPane } from '../../ui/SplitPane';
import { DoctorPanel } from './DoctorPanel';
import { MappingFields } from './MappingFields';
import { ServerFields } from './ServerFields';
import { SyncFields } from './SyncFields';
import { TrustedCertificateList } from './TrustedCertificateList';
import { revealElement, SectionJumps } from './SectionJumps';
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
  /** Set when this is the bundled sample directory: offers to remove it (after confirmation by the caller). */
  onRemoveSample?: () => void;
}

const CONNECTION_HINT = 'Enter a URL with a search base, a bind DN (or bind anonymously) and a valid search filter to see how entries become users.';
const PASSWORD_HINT = 'Enter the bind password to see how entries become users.';
const SNAPSHOT_HINT = "Enter a URL with a search base and a valid search filter to see how the snapshot's entries become users.";
const NO_SNAPSHOT_HINT = 'Attach a snapshot to this offline server (Source, in the form) to see how its entries become users.';

/**
 * A server's page: the toolbar (Test, Simulate with these drafts, Save, Discard) and a jump bar above
 * two panes split by a movable separator. The setup pane holds the doctor, the form (source,
 * connection, bind, filter, timeout, trusted certificates, attribute mapping, sync options) and the
 * script editors with their test cases; the preview pane shows the unsaved form over the live
 * directory or a snapshot. When the page is narrow the panes stack (styles.css).
 */
export function ServerEditor({ initial, onSaved, onTested, onDirtyChange, onRemoveSample }: ServerEditorProps) {
  const form = useServerForm(initial, onSaved);
  const doctor = useDoctor();
  const snapshots = useSnapshots();
  const { dirty } = form;
  const serverId = form.saved?.id;
  const offline = form.draft.offline;

  // The preview's source: an offline server always reads its attached snapshot; others read the live
  // directory or the snapshot the admin picks.
  const [chosenSource, setChosenSource] = useState<EntrySourceRef>({ kind: 'live' });
  const snapshotId = form.draft.snapshotId;
  const source = useMemo<EntrySourceRef | null>(
    () => (offline ? (snapshotId ? { kind: 'snapshot', snapshotId } : null) : chosenSource),
    [offline, snapshotId, chosenSource],
  );
  const live = source?.kind === 'live';
  const needsPassword = live && !form.saved && !form.draft.bindAnonymously && form.passwordInput.kind === 'none';
  let previewHint: string | null = null;
  if (!source) previewHint = NO_SNAPSHOT_HINT;
  else if (!live) previewHint = form.snapshotPreviewReady ? null : SNAPSHOT_HINT;
  else previewHint = !form.previewReady ? CONNECTION_HINT : needsPassword ? PASSWORD_HINT : null;
  const preview = usePreview({ serverId, draft: form.submitDraft, password: form.passwordInput, source: source ?? { kind: 'live' }, ready: previewHint === null });

  // The raw view reads the entry with the same session, draft, password and source as the preview shows.
  const rawInputs = useRef<RawContext | null>(null);
  rawInputs.current =
    previewHint === null && source
      ? { sessionId: preview.sessionId, ...(serverId ? { serverId } : {}), draft: form.submitDraft, password: form.passwordInput, source }
      : null;
  const rawContext = useCallback(() => rawInputs.current, []);

  // "+ Test case" on a preview row: the entry's attributes and what each script returns for it now.
  const casesRef = useRef({ cases: form.draft.scriptTests, scripts: form.draft.scripts, setScriptTests: form.setScriptTests });
  casesRef.current = { cases: form.draft.scriptTests, scripts: form.draft.scripts, setScriptTests: form.setScriptTests };
  const addTestCases = useCallback(async (row: PreviewRow, raw?: RawEntry): Promise<string> => {
    let entry = raw;
    if (!entry) {
      const ctx = rawInputs.current;
      if (!ctx) throw new Error('fix the form first');
      entry = await call('preview.raw', { ...ctx, dn: row.dn });
    }
    const { entry: testEntry, skipped } = testEntryOf(entry);
    const { cases, scripts, setScriptTests } = casesRef.current;
    const made = casesFromRow(row, testEntry, scripts);
    const dnKey = testEntry.dn.toLowerCase();
    const fresh = made.filter((c) => !cases.some((o) => o.script === c.script && o.entry.dn.toLowerCase() === dnKey));
    const who = made[0]?.name ?? row.username ?? row.dn;
    if (made.length === 0) return `No test case added for ${who}: every script failed on this entry (see its row).`;
    if (fresh.length === 0) return `${who} is already a test case of every script.`;
    setScriptTests((list) => [...list, ...fresh]);
    const names = fresh.map((c) => SCRIPT_META[c.script].short).join(', ');
    const note = skipped.length ? ` Values too long to keep were left out (${skipped.join(', ')}).` : '';
    return `Added ${who} as a test case of ${names}, expecting the current results: edit them under the script editors.${note}`;
  }, []);

  // "Simulate with these drafts": the unsaved form over the preview's source.
  const simulation = useDraftSimulation();
  const simulateReason = form.firstIssue ? `Fix the form first: ${form.firstIssue}.`.replace(/\.\.$/, '.') : previewHint;
  const simulate = () => {
    if (simulateReason !== null || !source) return;
    void simulation.start({ ...(serverId ? { serverId } : {}), draft: form.submitDraft, password: form.passwordInput, source });
  };

  const scriptErrors: Partial<Record<ScriptName, string>> = {
    active: form.errors['scripts.active'],
    orgName: form.errors['scripts.orgName'],
    roleName: form.errors['scripts.roleName'],
  };

  useEffect(() => onDirtyChange(dirty), [dirty, onDirtyChange]);

  // A refused save or test names fields: bring the first invalid one into view and give it the focus.
  const formError = form.formError;
  useEffect(() => {
    if (!formError) return;
    const field = sectionRef.current?.querySelector<HTMLElement>('.editor-work [aria-invalid="true"]');
    if (!field) return;
    field.scrollIntoView({ block: 'center' });
    field.focus({ preventScroll: true });
  }, [formError]);

  // Closing or reloading the window with unsaved changes asks first (main shows the dialog).
  useEffect(() => {
    if (!dirty) return;
    const guard = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', guard);
    return () => window.removeEventListener('beforeunload', guard);
  }, [dirty]);

  // The results are taller than the "Testing…" line: keep the doctor's start in view once they arrive.
  const doctorRef = useRef<HTMLDivElement>(null);
  const testFinished = !doctor.state.running && (doctor.state.report !== null || doctor.state.error !== null);
  useEffect(() => {
    if (testFinished) revealElement(doctorRef.current);
  }, [testFinished, doctor.state.report, doctor.state.error]);

  const runTest = useCallback(
    async (draft: ServerDraft = form.submitDraft) => {
      if (draft.offline || doctor.state.running || !form.readyForTest()) return;
      form.clearFormError();
      // The admin asked for a test: bring the doctor into view wherever the page was scrolled.
      revealElement(doctorRef.current);
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

  const jumps = [
    { label: 'Connection', targetId: 'server-connection-heading' },
    { label: 'Mapping', targetId: 'mapping-heading' },
    { label: 'Sync', targetId: 'server-sync-heading' },
    { label: 'Scripts', targetId: 'scripts-heading' },
    { label: 'Preview', targetId: 'preview-heading' },
  ];
  const simulateHelp = `What a sync would change with the unsaved form and scripts, over ${source?.kind === 'snapshot' ? 'the preview’s snapshot' : 'the live directory'}. Nothing is saved but a history entry.`;

  return (
    <section ref={sectionRef} className="editor editor-page" aria-labelledby="editor-title">
      <header className="editor-head">
        <h2 id="editor-title">
          {title}
          {dirty && <span className="dirty-mark"> — unsaved changes</span>}
        </h2>
        <div className="toolbar">
          {!offline && (
            <button type="button" onClick={() => void runTest()} disabled={doctor.state.running || form.saving} title="Test the connection, bind, base and filter (Enter in any field)">
              Test
            </button>
          )}
          <button
            type="button"
            onClick={simulate}
            disabled={simulateReason !== null || simulation.state.phase === 'running'}
            title={simulateReason ?? simulateHelp}
            aria-describedby="simulate-drafts-help"
          >
            Simulate with these drafts
          </button>
          <button type="button" className="primary" onClick={() => void form.save()} disabled={form.saving || (!!form.saved && !dirty)} title="Save (Ctrl+S)">
            {form.saving ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={form.discard} disabled={!dirty || form.saving}>
            Discard changes
          </button>
        </div>
        {/* Why Simulate is unavailable stays on screen; what it does is its tooltip and description. */}
        <p className={simulateReason ? 'field-help editor-head-help' : 'visually-hidden'} id="simulate-drafts-help" data-testid="simulate-drafts-help">
          {simulateReason ? `Simulate with these drafts: ${simulateReason}` : simulateHelp}
        </p>
      </header>

      {onRemoveSample && (
        <div className="notice sample-notice" data-testid="sample-notice">
          <p>
            The bundled <strong>sample directory</strong>: Fjordline Instruments, a fictional company, offline, with example scripts. Try anything here;
            nothing reaches a real directory.
          </p>
          <button type="button" className="small" onClick={onRemoveSample}>
            Remove sample
          </button>
        </div>
      )}

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
            ? 'Saved. The stored password was cleared because the scheme, host, port, TLS mode or bind DN changed, so it is never sent anywhere it was not saved for. Enter it again.'
            : 'Saved.'}
        </p>
      )}

      <SectionJumps jumps={jumps} />

      <SplitPane
        className="editor-body"
        storageKey="lss.serverEditor.split"
        label="Resize the setup and the preview"
        start={
          <div className="editor-work" id="server-work" data-testid="editor-work">
            <h3 id="server-connection-heading">Connection</h3>
            {!offline && (
              <div ref={doctorRef} className="doctor-anchor">
                <DoctorPanel state={doctor.state} onCancel={() => void doctor.cancel()} onTrust={trust} trustedFingerprints={trustedFingerprints} />
              </div>
            )}

            <form className="server-form" aria-label="Server setup" noValidate onKeyDown={onFormKeyDown} onSubmit={(e) => e.preventDefault()}>
              <fieldset disabled={form.saving}>
                <legend className="visually-hidden">Connection</legend>
                <ServerFields form={form} />
                <TrustedCertificateList certificates={form.draft.trustedCertificates} error={form.errors.trustedCertificates} onRemove={form.removeTrustedCertificate} />
                <MappingFields form={form} attributes={preview.attributes} samples={preview.result?.attributeSamples} />
                <SyncFields form={form} />
              </fieldset>
            </form>

            {form.otherIssues.length > 0 && !form.formError && (
              <ul className="form-error">
                {form.otherIssues.map((f, i) => (
                  <li key={`${f.path}-${i}`}>{f.message}</li>
                ))}
              </ul>
            )}
            <ScriptsPanel
              scripts={form.draft.scripts}
              onChange={form.setScript}
              preview={preview.result}
              attributes={preview.attributes}
              errors={scriptErrors}
              disabled={form.saving}
              tests={form.draft.scriptTests}
              onTestsChange={form.setScriptTests}
              testsError={form.errors.scriptTests}
            />
          </div>
        }
        end={
          <div className="editor-preview" id="server-preview" data-testid="editor-preview">
            <PreviewPane
              preview={preview}
              hint={previewHint}
              rawContext={rawContext}
              onAddTestCase={addTestCases}
              onOpenDoctor={offline ? undefined : () => void runTest()}
              sourcePicker={{ source, offline, attachedId: snapshotId, snapshots: snapshots.data, onChange: setChosenSource }}
            />
          </div>
        }
      />
      {simulation.state.phase !== 'idle' && <DraftSimulationDialog state={simulation.state} onCancel={() => void simulation.cancel()} onClose={simulation.close} />}
    </section>
  );
}
