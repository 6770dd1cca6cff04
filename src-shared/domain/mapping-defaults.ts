import { DEFAULT_ACTIVE_SCRIPT, type AttributeMapping, type ServerScripts } from './mapping';

/** The mapping a new server starts with (inetOrgPerson names). */
export function defaultMapping(): AttributeMapping {
  return { email: 'mail', firstName: 'givenName', lastName: 'sn' };
}

/** The scripts a new server starts with: the reference's Active default, no Org or Role script. */
export function defaultScripts(): ServerScripts {
  return { active: DEFAULT_ACTIVE_SCRIPT, orgName: null, roleName: null };
}
