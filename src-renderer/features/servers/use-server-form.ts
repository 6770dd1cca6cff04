// State and actions of the server setup form: the draft, the write-only password, validation as the
// admin types, issues returned by main, dirty tracking, Save and Discard.
import { useCallback, useMemo, useState } from 'react';
import { call, errorInfoOf } from '../../api';
import type { ErrorInfo, FieldIssue } from '../../../src-shared/errors';
import type { CertificateInfo } from '../../../src-shared/domain/doctor';
import type { AttributeMapping, ScriptName } from '../../../src-shared/domain/mapping';
import { applyPreset, type ServerPresetId } from '../../../src-shared/domain/presets';
import { emptyServerDraft } from '../../../src-shared/domain/server-defaults';
import type { ScriptTestCase } from '../../../src-shared/domain/script-tests';
import type { ServerDraft, ServerView, WindowPasswordInput } from '../../../src-shared/domain/server';
import { usernameAttributeOf, validateServerDraft } from '../../../src-shared/domain/validate-server';
import {
  draftOf,
  fieldOfPath,
  groupIssues,
  initialPasswordEdit,
  isPlainLdap,
  parseTimeout,
  passwordChanged,
  passwordInputOf,
  sameDraft,
  toTrusted,
  willClearPassword,
  type FieldPath,
  type PasswordEdit,
} from './form-model';

/** What the last successful save wants the admin to know. */
export type SaveNotice = 'saved' | 'password-cleared' | null;

/** Fields whose problems block a connection test (a missing name does not). */
const TEST_FIELDS: ReadonlySet<FieldPath> = new Set(['url', 'startTls', 'bindDn', 'searchFilter', 'timeoutSeconds', 'pageSize']);
/** Fields whose problems block reading a snapshot (no connection, so no bind; an offline server needs its snapshot). */
const SNAPSHOT_FIELDS: ReadonlySet<FieldPath> = new Set(['url', 'searchFilter', 'timeoutSeconds', 'snapshotId']);

function clientIssuesOf(draft: ServerDraft, timeoutText: string): FieldIssue[] {
  const issues = validateServerDraft(draft);
  if (!Number.isNaN(draft.timeoutSeconds)) return issues;
  // The text box is not a whole number: say so in form words, not whatever the schema says about NaN.
  return [...issues.filter((i) => fieldOfPath(i.path) !== 'timeoutSeconds'), { path: 'timeoutSeconds', message: timeoutText.trim() ? 'Enter a whole number of seconds.' : 'Enter a timeout in seconds (default 30).' }];
}

/** The server setup form for one editing session; `initial` is the saved server, or null for a new one. */
export function useServerForm(initial: ServerView | null, onSaved: (server: ServerView) => void) {
  const [saved, setSaved] = useState<ServerView | null>(initial);
  const [draft, setDraft] = useState<ServerDraft>(() => (initial ? draftOf(initial) : emptyServerDraft()));
  const [timeoutText, setTimeoutTextState] = useState(() => String(initial?.timeoutSeconds ?? emptyServerDraft().timeoutSeconds));
  const [password, setPassword] = useState<PasswordEdit>(() => initialPasswordEdit(initial));
  const [touched, setTouched] = useState<ReadonlySet<FieldPath>>(() => new Set());
  const [showAll, setShowAll] = useState(false);
  const [serverIssues, setServerIssues] = useState<FieldIssue[]>([]);
  const [formError, setFormError] = useState<ErrorInfo | null>(null);
  const [notice, setNotice] = useState<SaveNotice>(null);
  const [saving, setSaving] = useState(false);

  const submitDraft = useMemo<ServerDraft>(() => ({ ...draft, timeoutSeconds: parseTimeout(timeoutText) }), [draft, timeoutText]);
  const clientIssues = useMemo(() => clientIssuesOf(submitDraft, timeoutText), [submitDraft, timeoutText]);
  const baseline = useMemo(() => (saved ? draftOf(saved) : emptyServerDraft()), [saved]);
  const passwordInput: WindowPasswordInput = passwordInputOf(saved, password, draft.bindAnonymously);
  const dirty = !sameDraft(submitDraft, baseline) || passwordChanged(saved, passwordInput, password.file);

  const errors = useMemo(() => {
    const fromMain = groupIssues(serverIssues).byField;
    const fromClient = groupIssues(clientIssues).byField;
    const shown: Partial<Record<FieldPath, string>> = {};
    for (const field of Object.keys({ ...fromMain, ...fromClient }) as FieldPath[]) {
      shown[field] = fromMain[field] ?? (showAll || touched.has(field) ? fromClient[field] : undefined);
    }
    return shown;
  }, [serverIssues, clientIssues, showAll, touched]);
  // The preview needs what a connection test needs (URL, bind, filter, timeout), and nothing else.
  const previewReady = useMemo(() => !clientIssues.some((i) => TEST_FIELDS.has(fieldOfPath(i.path) as FieldPath)), [clientIssues]);
  // A preview or simulation over a snapshot needs the search base and the filter only.
  const snapshotPreviewReady = useMemo(() => !clientIssues.some((i) => SNAPSHOT_FIELDS.has(fieldOfPath(i.path) as FieldPath)), [clientIssues]);
  const otherIssues = useMemo(() => groupIssues(serverIssues).other, [serverIssues]);
  const usernameAttribute = errors.searchFilter || groupIssues(clientIssues).byField.searchFilter ? null : usernameAttributeOf(draft.searchFilter);

  const changed = useCallback((field: FieldPath) => {
    setTouched((t) => (t.has(field) ? t : new Set(t).add(field)));
    setServerIssues((issues) => issues.filter((i) => fieldOfPath(i.path) !== field));
    setNotice(null);
  }, []);

  /** Sets one draft field (as the admin types). Leaving ldap:// turns StartTLS off, since it no longer applies. */
  const setField = useCallback(
    <K extends keyof ServerDraft>(key: K, value: ServerDraft[K]) => {
      setDraft((d) => {
        const next = { ...d, [key]: value };
        if (key === 'url' && next.startTls && !isPlainLdap(next.url)) next.startTls = false;
        return next;
      });
      changed(key as FieldPath);
    },
    [changed],
  );

  const setTimeoutText = useCallback(
    (text: string) => {
      setTimeoutTextState(text);
      changed('timeoutSeconds');
    },
    [changed],
  );

  /** Fills the search filter, the mapping and the Active script from a preset (see src-shared/domain/presets.ts). */
  const applyPresetToForm = useCallback(
    (id: ServerPresetId) => {
      setDraft((d) => applyPreset(d, id));
      for (const field of ['searchFilter', 'mapping.email', 'mapping.firstName', 'mapping.lastName', 'scripts.active'] as const) changed(field);
    },
    [changed],
  );

  /** Sets one mapping attribute name ('' = not mapped). */
  const setMapping = useCallback(
    (key: keyof AttributeMapping, value: string) => {
      setDraft((d) => ({ ...d, mapping: { ...d.mapping, [key]: value } }));
      changed(`mapping.${key}`);
    },
    [changed],
  );

  /** Sets one script's source; null removes an optional (Org name, Role name) script. */
  const setScript = useCallback(
    (name: ScriptName, source: string | null) => {
      setDraft((d) => ({ ...d, scripts: { ...d.scripts, [name]: name === 'active' ? (source ?? '') : source } }));
      changed(`scripts.${name}`);
    },
    [changed],
  );

  /** Replaces the script test cases (kept in the draft, so Save stores them). */
  const setScriptTests = useCallback(
    (update: (cases: ScriptTestCase[]) => ScriptTestCase[]) => {
      setDraft((d) => ({ ...d, scriptTests: update(d.scriptTests) }));
      changed('scriptTests');
    },
    [changed],
  );

  const touch = useCallback((field: FieldPath) => setTouched((t) => (t.has(field) ? t : new Set(t).add(field))), []);

  const updatePassword = useCallback(
    (patch: Partial<PasswordEdit>) => {
      setPassword((p) => ({ ...p, ...patch }));
      changed('password');
    },
    [changed],
  );
  const startPasswordEdit = useCallback(() => setPassword((p) => ({ ...p, editing: true, value: '' })), []);
  const cancelPasswordEdit = useCallback(() => {
    setPassword(initialPasswordEdit(saved));
    setServerIssues((issues) => issues.filter((i) => fieldOfPath(i.path) !== 'password'));
  }, [saved]);

  /** Adds a certificate the doctor proposed (no duplicates) and returns the draft to re-test with. */
  const addTrustedCertificate = useCallback(
    (cert: CertificateInfo): ServerDraft => {
      const trusted = [...draft.trustedCertificates.filter((c) => c.fingerprint256 !== cert.fingerprint256), toTrusted(cert)];
      setDraft((d) => ({ ...d, trustedCertificates: trusted }));
      changed('trustedCertificates');
      return { ...submitDraft, trustedCertificates: trusted };
    },
    [draft.trustedCertificates, submitDraft, changed],
  );

  const removeTrustedCertificate = useCallback(
    (fingerprint: string) => {
      setDraft((d) => ({ ...d, trustedCertificates: d.trustedCertificates.filter((c) => c.fingerprint256 !== fingerprint) }));
      changed('trustedCertificates');
    },
    [changed],
  );

  const reset = useCallback((to: ServerView | null) => {
    const d = to ? draftOf(to) : emptyServerDraft();
    setDraft(d);
    setTimeoutTextState(String(d.timeoutSeconds));
    setPassword(initialPasswordEdit(to));
    setTouched(new Set());
    setShowAll(false);
    setServerIssues([]);
    setFormError(null);
  }, []);

  /** Puts the form back to the saved values (or a blank form for a new server). */
  const discard = useCallback(() => {
    reset(saved);
    setNotice(null);
  }, [reset, saved]);

  /** Shows issues from main (a failed save or test) at their fields. */
  const showServerIssues = useCallback((issues: FieldIssue[]) => {
    setServerIssues(issues);
    setShowAll(true);
  }, []);

  /** True when the draft can be tested; otherwise reveals the blocking field errors. */
  const readyForTest = useCallback((): boolean => {
    const blocking = clientIssues.filter((i) => TEST_FIELDS.has(fieldOfPath(i.path) as FieldPath));
    if (blocking.length === 0) return true;
    setShowAll(true);
    setFormError({ code: 'INVALID_INPUT', message: 'Fix the highlighted fields before testing.' });
    return false;
  }, [clientIssues]);

  /** Validates, then creates or updates the server. Resolves true when saved. */
  const save = useCallback(async (): Promise<boolean> => {
    if (saving) return false;
    setNotice(null);
    if (clientIssues.length > 0) {
      setShowAll(true);
      setFormError({ code: 'INVALID_INPUT', message: 'Fix the highlighted fields before saving.' });
      return false;
    }
    setSaving(true);
    setFormError(null);
    try {
      let server: ServerView;
      let cleared = false;
      if (saved) {
        const result = await call('servers.update', { id: saved.id, draft: submitDraft, password: passwordInput });
        server = result.server;
        cleared = result.passwordCleared;
      } else {
        server = await call('servers.create', { draft: submitDraft, password: passwordInput });
      }
      // The typed password is dropped here: from now on only main (and the keychain) hold it.
      setSaved(server);
      reset(server);
      setNotice(cleared ? 'password-cleared' : 'saved');
      onSaved(server);
      return true;
    } catch (error) {
      const info = errorInfoOf(error);
      setFormError(info);
      showServerIssues(info.fields ?? []);
      return false;
    } finally {
      setSaving(false);
    }
  }, [saving, clientIssues, saved, submitDraft, passwordInput, reset, onSaved, showServerIssues]);

  return {
    saved,
    draft,
    submitDraft,
    timeoutText,
    password,
    passwordInput,
    dirty,
    saving,
    errors,
    otherIssues,
    formError,
    notice,
    usernameAttribute,
    previewReady,
    snapshotPreviewReady,
    /** No field has a problem the form can see (main may still find one, e.g. in a script). */
    valid: clientIssues.length === 0,
    /** The first problem the form sees (for a disabled action's reason), or null. */
    firstIssue: clientIssues[0]?.message ?? null,
    passwordWillClear: willClearPassword(saved, submitDraft),
    setField,
    setMapping,
    applyPreset: applyPresetToForm,
    setScript,
    setScriptTests,
    setTimeoutText,
    touch,
    updatePassword,
    startPasswordEdit,
    cancelPasswordEdit,
    addTrustedCertificate,
    removeTrustedCertificate,
    discard,
    showServerIssues,
    readyForTest,
    clearFormError: () => setFormError(null),
    save,
  };
}

/** The value returned by {@link useServerForm}. */
export type ServerForm = ReturnType<typeof useServerForm>;
