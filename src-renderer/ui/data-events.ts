// A tiny in-renderer change bus: a screen that changes something (an organization, a user, a run)
// says so, and every screen showing that kind of data reloads it (at once when visible, else when
// shown next). Main's 'sync.finished' event is turned into these topics by the app shell.

/** Kinds of data screens show. */
export type Topic = 'servers' | 'orgs' | 'roles' | 'users' | 'runs' | 'settings' | 'snapshots';

const listeners = new Map<Topic, Set<() => void>>();

/** Says that data of these kinds changed. */
export function notifyChanged(...topics: Topic[]): void {
  const called = new Set<() => void>();
  for (const topic of topics) {
    for (const listener of Array.from(listeners.get(topic) ?? [])) {
      if (called.has(listener)) continue;
      called.add(listener);
      listener();
    }
  }
}

/** Calls `listener` when any of `topics` changes; returns the unsubscribe function. */
export function onChanged(topics: readonly Topic[], listener: () => void): () => void {
  for (const topic of topics) {
    let set = listeners.get(topic);
    if (!set) listeners.set(topic, (set = new Set()));
    set.add(listener);
  }
  return () => {
    for (const topic of topics) listeners.get(topic)?.delete(listener);
  };
}
