import type { AttributeMapping, ServerScripts } from './mapping';
import type { ServerDraft } from './server';

/** The presets a server can start from, by id (the id is what a config file's `"preset"` names). */
export const SERVER_PRESET_IDS = ['active-directory', 'openldap'] as const;
export type ServerPresetId = (typeof SERVER_PRESET_IDS)[number];

/**
 * What a preset fills in a server: the search filter (its `?` attribute becomes the username
 * attribute), the attribute mapping and the Active script. The URL, bind and everything else stay
 * as they are; the examples are shown as placeholders and help.
 */
export interface ServerPreset {
  id: ServerPresetId;
  label: string;
  /** One sentence for the form and the CLI: what the preset sets. */
  summary: string;
  searchFilter: string;
  mapping: AttributeMapping;
  /** Only the Active script: Org name and Role name depend on each directory's layout. */
  activeScript: string;
  /** The directory ID the sync tracks entries by (chosen automatically; shown for information). */
  directoryId: string;
  /** Example values for the URL and the bind DN. */
  urlExample: string;
  bindDnExample: string;
}

/** The Active Directory preset's Active script: a disabled account (userAccountControl bit 2) becomes inactive. */
export const AD_ACTIVE_SCRIPT = `function(entry) {
  // userAccountControl bit 2 (ACCOUNTDISABLE) is set on disabled accounts.
  return (Number(entry.userAccountControl) & 2) === 0;
}`;

/** Every preset, by id. */
export const SERVER_PRESETS: Readonly<Record<ServerPresetId, ServerPreset>> = {
  'active-directory': {
    id: 'active-directory',
    label: 'Active Directory',
    summary:
      'Person accounts by sAMAccountName, mail / givenName / sn, and an Active script that deactivates disabled accounts (userAccountControl bit 2). Users are tracked by objectGUID.',
    searchFilter: '(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))',
    mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
    activeScript: AD_ACTIVE_SCRIPT,
    directoryId: 'objectGUID',
    urlExample: 'ldaps://dc1.example.com/DC=example,DC=com',
    bindDnExample: 'svc-sync@example.com',
  },
  openldap: {
    id: 'openldap',
    label: 'OpenLDAP',
    summary: 'inetOrgPerson entries by uid, mail / givenName / sn, every entry active. Users are tracked by entryUUID.',
    searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
    mapping: { email: 'mail', firstName: 'givenName', lastName: 'sn' },
    activeScript: 'function(entry) { return true; }',
    directoryId: 'entryUUID',
    urlExample: 'ldaps://ldap.example.com/ou=people,dc=example,dc=com',
    bindDnExample: 'cn=sync,ou=services,dc=example,dc=com',
  },
};

/** True for a known preset id. */
export function isServerPresetId(id: string): id is ServerPresetId {
  return (SERVER_PRESET_IDS as readonly string[]).includes(id);
}

/** The fields a preset sets in a draft: filter, mapping and Active script (Org name and Role name are kept). */
export function applyPreset(draft: ServerDraft, id: ServerPresetId): ServerDraft {
  const p = SERVER_PRESETS[id];
  return { ...draft, searchFilter: p.searchFilter, mapping: { ...p.mapping }, scripts: { ...draft.scripts, active: p.activeScript } };
}

/** The preset a draft's filter, mapping and Active script currently match, or null. */
export function presetOfDraft(draft: Pick<ServerDraft, 'searchFilter' | 'mapping' | 'scripts'>): ServerPresetId | null {
  for (const id of SERVER_PRESET_IDS) {
    const p = SERVER_PRESETS[id];
    const m = draft.mapping;
    if (draft.searchFilter === p.searchFilter && m.email === p.mapping.email && m.firstName === p.mapping.firstName && m.lastName === p.mapping.lastName && draft.scripts.active === p.activeScript) return id;
  }
  return null;
}
