import { useEffect, useState } from 'react';

/** How long a confirmation ("Saved", "Deleted …") stays: 6 seconds. */
export const NOTICE_MS = 6000;

/**
 * A confirmation notice that clears itself: after {@link NOTICE_MS}, and at once when any of
 * `stale` changes after it was shown (the admin moved on: opened a dialog, typed a search, edited
 * again), because it no longer applies then. Returns the notice and its setter.
 */
export function useNotice(stale: readonly unknown[] = []): [string | null, (text: string | null) => void] {
  const [notice, setNotice] = useState<{ text: string; key?: string } | null>(null);
  const key = JSON.stringify(stale);
  // The notice is tied to what the screen shows in the render that first shows it (the same
  // update may close a dialog); any later change makes it stale.
  if (notice && notice.key === undefined) setNotice({ text: notice.text, key });
  else if (notice && notice.key !== key) setNotice(null);
  useEffect(() => {
    if (notice === null) return;
    const timer = window.setTimeout(() => setNotice(null), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [notice]);
  return [notice?.text ?? null, (text) => setNotice(text === null ? null : { text })];
}
