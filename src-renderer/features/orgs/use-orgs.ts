// The organizations list, kept current across screens (reloaded when organizations, servers, users or runs change).
import { call } from '../../api';
import type { OrganizationView } from '../../../src-shared/domain/directory';
import { useResource } from '../../ui/use-resource';

const loadOrgs = () => call('orgs.list', {});

/** Every organization (null until loaded). */
export function useOrgs(active = true) {
  return useResource<OrganizationView[]>(loadOrgs, 'orgs', { active, topics: ['orgs', 'servers', 'users', 'runs'] });
}

/** "Local" or "LDAP: Corp". */
export function authText(org: OrganizationView): string {
  return org.auth.kind === 'local' ? 'Local' : `LDAP: ${org.auth.serverName}`;
}
