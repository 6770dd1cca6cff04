import type { EntrySourceRef } from '../../../src-shared/domain/snapshot';
import type { ServerView } from '../../../src-shared/domain/server';
import { AppError } from '../../../src-shared/errors';
import type { CommandContext, OptionSpec } from '../command';
import { UsageError } from '../io';

/** `--source SNAPSHOT` of preview and simulate. */
export const SOURCE_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'SNAPSHOT',
  help: 'Read this snapshot (by name, see "ldap-sync snapshot list") instead of the live directory',
};

/**
 * The snapshot `--source` names, as the entry source of a preview or simulation of `server`, or
 * undefined without --source (the live directory; an offline server's own snapshot). An offline
 * server always reads its own snapshot: naming another one is refused.
 */
export function sourceOf(ctx: CommandContext, server: ServerView, topic: readonly string[]): EntrySourceRef | undefined {
  const text = ctx.flags.source;
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || text.trim() === '') throw new UsageError('--source needs the name of a snapshot (ldap-sync snapshot list shows them)', topic);
  const snapshots = ctx.app().snapshots;
  const snapshot = snapshots.get(text.trim());
  if (server.offline && snapshot.id !== server.snapshotId) {
    const own = snapshots.list().find((s) => s.id === server.snapshotId);
    throw new AppError(
      'INVALID_INPUT',
      `"${server.name}" is offline and always reads its own snapshot${own ? ` "${own.name}"` : ''}. To read "${snapshot.name}", attach it to the server ("snapshot" in a config file, or the app), or run without --source.`,
    );
  }
  return { kind: 'snapshot', snapshotId: snapshot.id };
}
