// Functions that run inside the page (Playwright sends their source text). Plain JavaScript on
// purpose: the node-side tsconfig has no DOM library, and adding one to it would let main-process
// code use `window` unnoticed. layout-checks.ts wraps them with types.

// Each probe carries its own helpers: Playwright sends only the function's own source to the page.

/** See horizontalOverflow in layout-checks.ts. */
export function probeHorizontalOverflow(allow) {
  const name = (el) => {
    const id = el.id ? `#${el.id}` : '';
    const testId = el.getAttribute('data-testid');
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    return `${el.tagName.toLowerCase()}${id}${cls}${testId ? `[data-testid=${testId}]` : ''}`;
  };
  const problems = [];
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
}

/** See windowScroll in layout-checks.ts. */
export function probeWindowScroll() {
  const root = document.documentElement;
  return root.scrollHeight > root.clientHeight + 1 || root.scrollTop > 0
    ? [`the window scrolls: ${root.scrollHeight}px of content in ${root.clientHeight}px, at ${root.scrollTop}px`]
    : [];
}

/** See overlaps in layout-checks.ts. */
export function probeOverlaps() {
  const SELECTOR = 'button, input:not([type=hidden]), select, textarea, a[href], [role=separator], h1, h2, h3, h4, h5, label, th, summary';
  const scope = document.querySelector('dialog[open]') ?? document;
  const name = (el) => {
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    const label = el.getAttribute('aria-label') ?? el.getAttribute('data-testid') ?? '';
    return `${el.tagName.toLowerCase()}${label ? `[${label}]` : ''} "${text}"`;
  };
  // The element's box when it is wholly on screen and not clipped by a scrolling or clipping ancestor.
  const visibleBox = (el) => {
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
  const items = [];
  for (const el of scope.querySelectorAll(SELECTOR)) {
    if (el.closest('.visually-hidden, [hidden], [aria-hidden=true]')) continue;
    // Not painted: inside a closed <details>, hidden by visibility or content-visibility.
    if (!el.checkVisibility({ contentVisibilityAuto: true, visibilityProperty: true })) continue;
    const box = visibleBox(el);
    if (box) items.push({ el, box });
  }
  const problems = [];
  const isLabelOf = (a, b) => a instanceof HTMLLabelElement && a.control === b;
  const related = (a, b) => a.contains(b) || b.contains(a) || isLabelOf(a, b) || isLabelOf(b, a);
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
    const hit = document.elementFromPoint(a.box.left + a.box.width / 2, a.box.top + a.box.height / 2);
    if (hit && hit !== a.el && !a.el.contains(hit) && !isLabelOf(hit, a.el) && !hit.contains(a.el)) problems.push(`${name(a.el)} is covered by ${name(hit)}`);
  }
  return problems;
}

/** The accessible name of the script editor holding the keyboard focus (inside its shadow root), or null. */
export function probeFocusedEditor() {
  const inner = document.activeElement?.shadowRoot?.activeElement;
  return inner ? inner.getAttribute('aria-label') : null;
}
