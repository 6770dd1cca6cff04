import { useEffect, useRef } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import type { ScriptDiagnostic } from '../../../src-shared/domain/scripts';
import { editorTheme, highlightStyle } from './editor-theme';
import { entryCompletionSource } from './entry-completion';
import { helperCompletionSource } from './helper-completion';
import { typingOverSelection } from './typing-over-selection';

/** Props of {@link ScriptEditor}. */
export interface ScriptEditorProps {
  /** The editor's accessible name, e.g. "Active script". */
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Problems in the source (from scripts.check), shown as lint marks. */
  diagnostics: readonly ScriptDiagnostic[];
  /** Attribute names offered after `entry.`. */
  attributes: readonly string[];
  readOnly?: boolean;
}

function toCodeMirror(diagnostics: readonly ScriptDiagnostic[], length: number): Diagnostic[] {
  return diagnostics.map((d) => {
    const from = Math.max(0, Math.min(d.from, length));
    const to = Math.max(from, Math.min(d.to, length));
    return { from, to, severity: d.severity, message: d.message, source: `line ${d.line}, column ${d.column}` };
  });
}

/** How the editor's keys read on this platform: Tab leaves, Ctrl/Cmd+] and [ indent. */
export const EDITOR_KEYS_HINT = `Tab moves to the next field · ${modKey()}+] indents · ${modKey()}+[ outdents`;

function modKey(): string {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘' : 'Ctrl';
}

/**
 * A CodeMirror 6 JavaScript editor for one user script: highlighting, bracket matching, `entry.`
 * completion and diagnostics. Tab and Shift+Tab move the focus like in any other field (a keyboard
 * user is never trapped); indentation is on Ctrl/Cmd+] and Ctrl/Cmd+[ (CodeMirror's default keymap). It runs inside an open shadow root, where CodeMirror's generated styles
 * go into a constructed stylesheet instead of an inline <style> tag the CSP (`style-src 'self'`) forbids.
 */
export function ScriptEditor({ label, value, onChange, diagnostics, attributes, readOnly = false }: ScriptEditorProps) {
  const hostRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const attributesRef = useRef(attributes);
  attributesRef.current = attributes;
  const config = useRef({ readOnly: new Compartment(), aria: new Compartment() });
  const initial = useRef({ value, readOnly, label });
  // The texts reported through onChange that no render has carried back yet, oldest first. A render
  // may carry an OLDER one of them: React commits an update made outside a discrete event (a paste,
  // a fill: `beforeinput` inside the shadow root) at default priority, and its effects can run after
  // the next keystroke was already reported. Only a value that is none of them is an outside change.
  const unacknowledged = useRef<string[]>([]);
  // The value of the latest render seen by the effect below.
  const seen = useRef(value);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const shadow = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    const mount = document.createElement('div');
    shadow.appendChild(mount);
    const start = initial.current;
    const view = new EditorView({
      root: shadow,
      parent: mount,
      state: EditorState.create({
        doc: start.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          javascript(),
          syntaxHighlighting(highlightStyle),
          autocompletion({ override: [entryCompletionSource(() => attributesRef.current), helperCompletionSource], activateOnTyping: true }),
          lintGutter(),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          EditorView.lineWrapping,
          typingOverSelection,
          editorTheme,
          config.current.readOnly.of(EditorState.readOnly.of(start.readOnly)),
          config.current.aria.of(ariaOf(start.label)),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const text = update.state.doc.toString();
            unacknowledged.current.push(text);
            onChangeRef.current(text);
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      mount.remove();
      viewRef.current = null;
    };
  }, []);

  // The value changed from outside (Discard, Save, a template): replace the document. A value the
  // editor reported itself is an echo, even a stale one (replacing the document with it would take
  // back what was typed since): it and the older texts before it are acknowledged, nothing more.
  // After every render, so that an echo equal to the previous value (typed, then erased) is
  // acknowledged too.
  useEffect(() => {
    const pending = unacknowledged.current;
    const echo = pending.indexOf(value);
    if (echo >= 0) pending.splice(0, echo + 1);
    const changed = value !== seen.current;
    seen.current = value;
    const view = viewRef.current;
    if (echo >= 0 || !changed || !view) return;
    pending.length = 0;
    const current = view.state.doc.toString();
    if (current !== value) view.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  });

  useEffect(() => {
    const view = viewRef.current;
    if (!view) return;
    view.dispatch(setDiagnostics(view.state, toCodeMirror(diagnostics, view.state.doc.length)));
  }, [diagnostics]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: [config.current.readOnly.reconfigure(EditorState.readOnly.of(readOnly)), config.current.aria.reconfigure(ariaOf(label))],
    });
  }, [readOnly, label]);

  return <div ref={hostRef} className="script-editor" />;
}

function ariaOf(label: string) {
  return EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true', 'aria-description': EDITOR_KEYS_HINT });
}
