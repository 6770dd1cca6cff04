/**
 * Control characters made visible. Directory data (names, values, DNs) and admin-typed names end up
 * on terminals and in text files: an escape sequence in one could hide part of a plan under review,
 * rewrite a terminal, or (a newline in an LDIF comment) add lines of its own. Each character a
 * terminal or a line-based format would act on is written as a visible escape instead: C0 controls
 * (except, where allowed, newline and tab), DEL, C1 controls (U+0080..U+009F, obeyed as escape
 * sequences by some terminals) and the Unicode bidi controls (which reorder what is shown).
 */

// Keeps newline, tab and a CR that ends a line (CRLF, as CSV output uses); a lone CR would return the cursor.
const UNSAFE_KEEP_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** `\xNN` below U+0100, `\u{NNNN}` above. */
function visible(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/** `text` with control characters as visible escapes; newlines (LF, CRLF) and tabs stay unless `oneLine`. */
export function visibleControls(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(opts.oneLine ? UNSAFE_ONE_LINE : UNSAFE_KEEP_LINES, visible);
}

/** The one-line set as a plain (not global) test, which keeps no state between calls. */
const ANY_CONTROL = new RegExp(UNSAFE_ONE_LINE.source);

/** True when `text` holds a control character (newline and tab included) that would be escaped on one line. */
export function hasControlCharacters(text: string): boolean {
  return ANY_CONTROL.test(text);
}
