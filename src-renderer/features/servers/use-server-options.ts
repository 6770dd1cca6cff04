// The saved servers as other screens need them (names for filters and selects), kept current.
import { call } from '../../api';
import type { ServerView } from '../../../src-shared/domain/server';
import { useResource } from '../../ui/use-resource';

const loadServers = () => call('servers.list', {});

/** Every saved server (null until loaded), reloaded when servers change. */
export function useServerOptions(active = true) {
  return useResource<ServerView[]>(loadServers, 'servers', { active, topics: ['servers'] });
}
