/**
 * Text for a terminal, with directory data in it made harmless: every control character a terminal
 * would act on is printed as a visible escape (see src-shared/text/visible-controls.ts). Applied to
 * all text the CLI prints (run-cli.ts wraps stdout and stderr).
 */
import { visibleControls } from '../../src-shared/text/visible-controls';

/** `text` with every control character but newline and tab replaced by a visible escape. */
export function terminalSafe(text: string): string {
  return visibleControls(text);
}

/** Our own progress line's prefix on stderr (back to column 0, clear the line): the one sequence we send. */
export const CLEAR_LINE = '\r\x1b[K';

/** {@link terminalSafe} for stderr, keeping a leading {@link CLEAR_LINE} of our own. */
export function stderrSafe(text: string): string {
  return text.startsWith(CLEAR_LINE) ? CLEAR_LINE + terminalSafe(text.slice(CLEAR_LINE.length)) : terminalSafe(text);
}
