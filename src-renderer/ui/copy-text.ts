/**
 * Copies text to the clipboard. Tries the async Clipboard API first; when the app's permission handler
 * refuses it, falls back to selecting the given element's text and the classic copy command.
 * Resolves true when the text was copied.
 */
export async function copyText(text: string, fallbackElement: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallbackElement) return false;
    const selection = window.getSelection();
    if (!selection) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackElement);
    selection.removeAllRanges();
    selection.addRange(range);
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}
