// The saved snapshots, as the Snapshots screen, the server form and the preview's source picker show them.
import { call } from '../../api';
import type { SnapshotView } from '../../../src-shared/domain/snapshot';
import { useResource } from '../../ui/use-resource';

const loadSnapshots = () => call('snapshots.list', {});

/** Every snapshot (null until loaded), reloaded when snapshots or servers change (servers change "used by"). */
export function useSnapshots(active = true) {
  return useResource<SnapshotView[]>(loadSnapshots, 'snapshots', { active, topics: ['snapshots', 'servers'] });
}
