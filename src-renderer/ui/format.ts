// Small formatting helpers shared by screens. Display only: nothing here is parsed back.

/** A count with the admin's digit grouping, e.g. 1,234. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat().format(n);
}

/** "1 match" / "1,234 matches". */
export function formatMatches(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'match' : 'matches'}`;
}

/** A full local date and time for an ISO timestamp; the input itself when it does not parse. */
export function formatDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** How long ago `iso` was, relative to `now` (ms): "just now", "5 min ago", "3 hours ago", "2 days ago". */
export function relativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'at an unknown time';
  const seconds = Math.round((now - t) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} ${hours === 1 ? 'hour' : 'hours'} ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 30) return `${days} days ago`;
  return `on ${new Date(t).toLocaleDateString()}`;
}
