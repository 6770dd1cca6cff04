import type { AttributeMapping, ServerScripts } from '../../src-shared/domain/mapping';
import type { LdapTarget } from '../ldap/target';

/** A saved server as a sign-in uses it: where to search, how it binds itself, and its mapping and scripts. */
export interface AuthServer {
  id: string;
  name: string;
  target: LdapTarget;
  /** Resolves the server's own bind password (null: anonymous). Asked only when the directory is searched. */
  servicePassword(): Promise<string | null>;
  mapping: AttributeMapping;
  /** Normalized: a blank Org name or Role name script is null. */
  scripts: ServerScripts;
  /**
   * For scripts that use the `groups` helpers: reads the groups below the search base (as a sync
   * does) and gives an entry's groups, nested ones included. Null when the scripts do not use them.
   */
  groups: (() => Promise<(dn: string) => readonly string[]>) | null;
}
