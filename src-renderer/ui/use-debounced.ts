import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` milliseconds (an empty text applies at once). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (value === settled) return;
    const immediate = typeof value === 'string' && value.trim() === '';
    const timer = window.setTimeout(() => setSettled(value), immediate ? 0 : ms);
    return () => window.clearTimeout(timer);
  }, [value, settled, ms]);
  return settled;
}
