// Typing over a selection, handled by CodeMirror instead of the browser. When Chromium's contenteditable
// replaces a selection that spans highlighted tokens, it wraps the new text in a <span style="...">
// to keep the old look; under the app's CSP (`style-src 'self'`) that inline style is refused and
// logged as an error. Doing the replacement as an editor transaction never touches the DOM that way.
import { EditorView } from '@codemirror/view';

/** The selection the browser is about to replace: the DOM's, which may be newer than the editor's state. */
function domSelection(view: EditorView): Selection | null {
  const root = view.root as (Document | ShadowRoot) & { getSelection?: () => Selection | null };
  return typeof root.getSelection === 'function' ? root.getSelection() : document.getSelection();
}

/** The document range replaced by a text insertion, or null when nothing is selected. */
function replacedRange(event: InputEvent, view: EditorView): { from: number; to: number } | null {
  const target = event.getTargetRanges().find((r) => !r.collapsed);
  const sel = domSelection(view);
  const points: [Node, number, Node, number] | null = target
    ? [target.startContainer, target.startOffset, target.endContainer, target.endOffset]
    : sel && sel.rangeCount > 0 && sel.anchorNode && sel.focusNode
      ? [sel.anchorNode, sel.anchorOffset, sel.focusNode, sel.focusOffset]
      : null;
  if (!points) {
    const main = view.state.selection.main;
    return main.empty ? null : { from: main.from, to: main.to };
  }
  const [n1, o1, n2, o2] = points;
  if (!view.contentDOM.contains(n1) || !view.contentDOM.contains(n2)) return null;
  try {
    const a = view.posAtDOM(n1, o1);
    const b = view.posAtDOM(n2, o2);
    return a === b ? null : { from: Math.min(a, b), to: Math.max(a, b) };
  } catch {
    return null;
  }
}

/** Handles `beforeinput` text insertion over a non-empty selection through CodeMirror's input handlers. */
export const typingOverSelection = EditorView.domEventHandlers({
  beforeinput(event, view) {
    if (event.inputType !== 'insertText' || !event.data || event.isComposing || view.composing || view.state.readOnly) return false;
    const range = replacedRange(event, view);
    if (!range) return false;
    event.preventDefault();
    const text = event.data;
    const { from, to } = range;
    const { state } = view;
    const insert = () => state.update({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, userEvent: 'input.type', scrollIntoView: true });
    // Input handlers (closeBrackets and the like) get their say first, as with ordinary typing.
    const handled = state.facet(EditorView.inputHandler).some((h) => h(view, from, to, text, insert));
    if (!handled) view.dispatch(insert());
    return true;
  },
});
