import { useCallback, useRef, useState, type CSSProperties, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';

/** Props of {@link SplitPane}. */
export interface SplitPaneProps {
  /** Remembers the split across sessions under this localStorage key. */
  storageKey: string;
  /** The separator's accessible name, e.g. "Resize the form and the preview". */
  label: string;
  /** The start pane's share of the width in percent before the admin moves the separator. Default 44. */
  initialShare?: number;
  /** The smallest and largest start share in percent. Defaults 25 and 75. */
  min?: number;
  max?: number;
  className?: string;
  start: ReactNode;
  end: ReactNode;
}

const STEP = 5;

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

function readShare(key: string, fallback: number, min: number, max: number): number {
  try {
    const stored = Number(window.localStorage.getItem(key));
    return stored ? clamp(stored, min, max) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Two panes side by side with a separator between them that the admin drags or moves with the arrow
 * keys (Home and End for the limits, Enter back to the default). The start pane's share goes into the
 * `--split-share` custom property, so the stylesheet decides when the panes stack instead (then the
 * separator is hidden and the share does not apply).
 */
export function SplitPane({ storageKey, label, initialShare = 44, min = 25, max = 75, className, start, end }: SplitPaneProps) {
  const [share, setShareState] = useState(() => readShare(storageKey, initialShare, min, max));
  const rootRef = useRef<HTMLDivElement>(null);
  const setShare = useCallback(
    (next: number) => {
      const value = Math.round(clamp(next, min, max));
      setShareState(value);
      try {
        window.localStorage.setItem(storageKey, String(value));
      } catch {
        // A full or refused storage only loses the remembered split.
      }
    },
    [storageKey, min, max],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const moves: Record<string, number> = { ArrowLeft: share - STEP, ArrowRight: share + STEP, Home: min, End: max, Enter: initialShare };
    if (!(e.key in moves)) return;
    e.preventDefault();
    setShare(moves[e.key]);
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const root = rootRef.current;
    if (!root) return;
    e.preventDefault();
    const handle = e.currentTarget;
    handle.setPointerCapture(e.pointerId);
    const box = root.getBoundingClientRect();
    const move = (ev: globalThis.PointerEvent) => setShare(((ev.clientX - box.left) / box.width) * 100);
    const stop = () => {
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', stop);
      handle.removeEventListener('pointercancel', stop);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
  };

  return (
    <div ref={rootRef} className={className ? `split ${className}` : 'split'} style={{ '--split-share': `${share}%` } as CSSProperties}>
      {start}
      <div
        role="separator"
        tabIndex={0}
        aria-orientation="vertical"
        aria-label={label}
        aria-valuenow={share}
        aria-valuemin={min}
        aria-valuemax={max}
        title={`${label}: drag, or focus and use the arrow keys (Enter resets)`}
        className="split-handle"
        data-testid="split-handle"
        onKeyDown={onKeyDown}
        onPointerDown={onPointerDown}
        onDoubleClick={() => setShare(initialShare)}
      />
      {end}
    </div>
  );
}
