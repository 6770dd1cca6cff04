import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/**
 * What the walk checks on every screen and dialog: nothing wider than its box, nothing drawn over
 * something else, and no serious or critical accessibility violation. Each check returns readable
 * problems (empty when all is well), so a failing expectation says what and where.
 */

/**
 * Horizontal overflow: the page itself, any open dialog, and every element that scrolls or clips
 * sideways while its content is wider than its box. Text cut on purpose with an ellipsis is fine, and
 * so are the selectors in `allowed` (a scroller that is meant to scroll, with the reason at the caller).
 */
export async function horizontalOverflow(page: Page, allowed: readonly string[] = []): Promise<string[]> {
  return page.evaluate((allow) => {
    const problems: string[] = [];
    const name = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const testId = el.getAttribute('data-testid');
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${id}${cls}${testId ? `[data-testid=${testId}]` : ''}`;
    };
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page is ${root.scrollWidth}px wide in a ${root.clientWidth}px window`);
    for (const dialog of document.querySelectorAll('dialog[open]')) {
      const box = dialog.getBoundingClientRect();
      if (box.left < -1 || box.right > window.innerWidth + 1) problems.push(`dialog ${name(dialog)} reaches ${Math.round(box.left)}..${Math.round(box.right)}px of a ${window.innerWidth}px window`);
    }
    for (const el of document.querySelectorAll('body *')) {
      if (!(el instanceof HTMLElement) || el.closest('.visually-hidden') || !el.checkVisibility({ contentVisibilityAuto: true })) continue;
      if (el.scrollWidth <= el.clientWidth + 1 || el.clientWidth === 0) continue;
      const style = getComputedStyle(el);
      if (style.overflowX === 'visible') continue;
      if (style.textOverflow === 'ellipsis') continue;
      if (allow.some((sel) => el.matches(sel))) continue;
      const how = style.overflowX === 'auto' || style.overflowX === 'scroll' ? 'scrolls sideways' : 'clips its content';
      problems.push(`${name(el)} ${how}: ${el.scrollWidth}px of content in ${el.clientWidth}px`);
    }
    return problems;
  }, allowed as string[]);
}

/** The window itself never scrolls (each screen scrolls in its own panes): a scrolled window hides the tabs. */
export async function windowScroll(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.documentElement;
    return root.scrollHeight > root.clientHeight + 1 || root.scrollTop > 0 ? [`the window scrolls: ${root.scrollHeight}px of content in ${root.clientHeight}px, at ${root.scrollTop}px`] : [];
  });
}

/**
 * Overlapping elements: among the controls, headings, labels and table headers that are fully on
 * screen (inside the open dialog when there is one), any two whose boxes intersect while neither
 * contains the other, and any control whose centre is covered by something else.
 */
export async function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const SELECTOR = 'button, input:not([type=hidden]), select, textarea, a[href], [role=separator], h1, h2, h3, h4, h5, label, th, summary';
    const scope: ParentNode = document.querySelector('dialog[open]') ?? document;
    const name = (el: Element) => {
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      const label = el.getAttribute('aria-label') ?? el.getAttribute('data-testid') ?? '';
      return `${el.tagName.toLowerCase()}${label ? `[${label}]` : ''} "${text}"`;
    };
    /** The part of the element's box not clipped by a scrolling or clipping ancestor, or null when hidden. */
    const visibleBox = (el: Element): DOMRect | null => {
      const box = el.getBoundingClientRect();
      if (box.width < 1 || box.height < 1) return null;
      if (box.left < 0 || box.top < 0 || box.right > window.innerWidth || box.bottom > window.innerHeight) return null;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
        const clip = p.getBoundingClientRect();
        if (box.left < clip.left - 1 || box.right > clip.right + 1 || box.top < clip.top - 1 || box.bottom > clip.bottom + 1) return null;
      }
      return box;
    };
    const items: { el: Element; box: DOMRect }[] = [];
    for (const el of scope.querySelectorAll(SELECTOR)) {
      if (el.closest('.visually-hidden, [hidden], [aria-hidden=true]')) continue;
      // Not painted: inside a closed <details>, hidden by visibility or content-visibility.
      if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
      const box = visibleBox(el);
      if (box) items.push({ el, box });
    }
    const problems: string[] = [];
    const related = (a: Element, b: Element) => a.contains(b) || b.contains(a) || (a instanceof HTMLLabelElement && a.control === b) || (b instanceof HTMLLabelElement && b.control === a);
    for (let i = 0; i < items.length; i++) {
      const a = items[i];
      for (let j = i + 1; j < items.length; j++) {
        const b = items[j];
        if (related(a.el, b.el)) continue;
        const w = Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left);
        const h = Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top);
        // A pixel or two is anti-aliasing and borders touching, not an overlap.
        if (w > 2 && h > 2) problems.push(`${name(a.el)} and ${name(b.el)} overlap by ${Math.round(w)}×${Math.round(h)}px`);
      }
      if (!a.el.matches('button, input, select, textarea, a[href], [role=separator]')) continue;
      const x = a.box.left + a.box.width / 2;
      const y = a.box.top + a.box.height / 2;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit !== a.el && !a.el.contains(hit) && !(hit instanceof HTMLLabelElement && hit.control === a.el) && !hit.contains(a.el)) {
        problems.push(`${name(a.el)} is covered by ${name(hit)}`);
      }
    }
    return problems;
  });
}

/** Serious and critical axe-core violations (WCAG 2.x A and AA rules), one line per rule with where. */
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
