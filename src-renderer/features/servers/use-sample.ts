// The bundled sample directory: whether it is installed (and the store still empty, on first start),
// and installing or removing it.
import { useCallback } from 'react';
import { call } from '../../api';
import { notifyChanged } from '../../ui/data-events';
import { useResource } from '../../ui/use-resource';

const loadStatus = () => call('sample.status', {});

/** The sample's status (null until loaded), reloaded when servers, organizations or users change. */
export function useSample() {
  const status = useResource(loadStatus, 'sample', { topics: ['servers', 'orgs', 'users'] });
  const { reload } = status;

  /** Installs the sample (or finds it installed); resolves with its server's id. */
  const install = useCallback(async () => {
    const { serverId } = await call('sample.install', {});
    notifyChanged('servers', 'orgs', 'roles', 'snapshots');
    await reload();
    return serverId;
  }, [reload]);

  /** Removes the sample's server, snapshot and organizations. */
  const remove = useCallback(async () => {
    const result = await call('sample.remove', {});
    notifyChanged('servers', 'orgs', 'roles', 'users', 'snapshots');
    await reload();
    return result;
  }, [reload]);

  return { status: status.data, install, remove };
}
