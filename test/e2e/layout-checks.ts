import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { probeFocusedEditor, probeHorizontalOverflow, probeOverlaps, probeWindowScroll } from './layout-probes.js';

/**
 * What the walk checks on every screen and dialog: nothing wider than its box, nothing drawn over
 * something else, a window that never scrolls, and no serious or critical accessibility violation.
 * Each check returns readable problems (empty when all is well), so a failing expectation says what
 * and where. The measuring runs in the page (layout-probes.js).
 */

/**
 * Horizontal overflow: the page itself, any open dialog, and every element that scrolls or clips
 * sideways while its content is wider than its box. Text cut on purpose with an ellipsis is fine, and
 * so are the selectors in `allowed` (a scroller that is meant to scroll, with the reason at the caller).
 */
export async function horizontalOverflow(page: Page, allowed: readonly string[] = []): Promise<string[]> {
  return page.evaluate(probeHorizontalOverflow as (allow: string[]) => string[], [...allowed]);
}

/** The window itself never scrolls (each screen scrolls in its own panes): a scrolled window hides the tabs. */
export async function windowScroll(page: Page): Promise<string[]> {
  return page.evaluate(probeWindowScroll as () => string[]);
}

/**
 * Overlapping elements: among the controls, headings, labels and table headers that are wholly on
 * screen (inside the open dialog when there is one), any two whose boxes intersect while neither
 * contains the other, and any control whose centre is covered by something else.
 */
export async function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(probeOverlaps as () => string[]);
}

/** The accessible name of the script editor that has the keyboard focus, or null when none has it. */
export async function focusedEditor(page: Page): Promise<string | null> {
  return page.evaluate(probeFocusedEditor as () => string | null);
}

/** Serious and critical axe-core violations (WCAG 2.x A and AA rules, best practices), one line per rule with where. */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const where = v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} (${n.html.slice(0, 80)})`).join(', ');
      const more = v.nodes.length > 4 ? ` and ${v.nodes.length - 4} more` : '';
      return `${v.impact} ${v.id}: ${v.help} at ${where}${more}; ${v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ') ?? ''}`;
    });
}
