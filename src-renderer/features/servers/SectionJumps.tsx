/** One place on the server page that the jump bar can bring into view. */
export interface SectionJump {
  label: string;
  /** The id of the element (usually a section's heading) to scroll to and focus. */
  targetId: string;
}

/**
 * Brings an element into view in whatever pane scrolls it and moves the keyboard focus there, so the
 * next Tab continues from it. Headings get a tabindex of -1 for that (focusable by script only).
 */
export function revealElement(el: HTMLElement | null, opts: { focus?: boolean } = {}): void {
  if (!el) return;
  const reduced = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  el.scrollIntoView({ block: 'start', behavior: reduced ? 'auto' : 'smooth' });
  if (opts.focus) {
    if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
    el.focus({ preventScroll: true });
  }
}

/**
 * The server page's jump bar: one button per part of the page (Connection, Mapping, Sync, Scripts,
 * Preview). Everything stays on one page rather than behind tabs, so an error at a field is never
 * hidden in a tab the admin is not looking at; the bar only saves the scrolling.
 */
export function SectionJumps({ jumps }: { jumps: readonly SectionJump[] }) {
  return (
    <nav className="section-jumps" aria-label="Parts of this server">
      {jumps.map((j) => (
        <button key={j.targetId} type="button" className="small" onClick={() => revealElement(document.getElementById(j.targetId), { focus: true })}>
          {j.label}
        </button>
      ))}
    </nav>
  );
}
