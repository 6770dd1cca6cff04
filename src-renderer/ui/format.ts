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

/** How long until `iso`, relative to `now` (ms): "in 5 min", "in 3 hours", "tomorrow"; "due now" when past. */
export function relativeFuture(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'at an unknown time';
  const seconds = Math.round((t - now) / 1000);
  if (seconds < 45) return 'due now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `in ${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'tomorrow';
  return `in ${days} days`;
}

/** A duration: "850 ms", "4.2 s", "3 min 4 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const totalSeconds = Math.round(s);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes} min ${totalSeconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** "1 user" / "1,234 users". */
export function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}
