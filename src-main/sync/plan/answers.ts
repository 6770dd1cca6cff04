/**
 * Script answers resolved against the store's organizations and roles: an Org name answer to an
 * organization of this server, Role name answers to sorted role ids, or the message saying what
 * is wrong. Scripts return the same few names for many entries: each distinct answer is resolved once.
 */
import { nameKey } from '../../store/name-key';
import type { CollectedEntries } from './collected-entries';
import { createdWithRoles, DEFAULT_ORG_GONE, defaultOrgOfOtherServer, NO_ROLES_TEXT, orgOfOtherServer, unknownOrg, unknownRoles } from './messages';
import type { OrgRef, PlanContext } from './types';

/** Resolves script answers and names role lists for one plan. */
export class Answers {
  private readonly orgsByKey: Map<string, OrgRef>;
  private readonly orgsById: Map<string, OrgRef>;
  private readonly rolesByKey: Map<string, { id: string; name: string }>;
  private readonly roleName: Map<string, string>;
  private readonly orgMemo = new Map<string, OrgRef | string>();
  private readonly roleMemo = new Map<string, string[] | string>();
  private readonly rolesOfAnswer: (string[] | string | undefined)[] = [];
  private readonly roleListMemo = new Map<readonly string[], string>();
  private readonly createReasonMemo = new Map<readonly string[], string>();

  constructor(
    private readonly ctx: PlanContext,
    private readonly entries: CollectedEntries,
  ) {
    this.orgsByKey = new Map(ctx.orgs.map((o) => [nameKey(o.name), o]));
    this.orgsById = new Map(ctx.orgs.map((o) => [o.id, o]));
    this.rolesByKey = new Map(ctx.roles.map((r) => [nameKey(r.name), r]));
    this.roleName = new Map(ctx.roles.map((r) => [r.id, r.name]));
  }

  /** An organization's name (its id when it no longer exists). */
  orgName(orgId: string): string {
    return this.orgsById.get(orgId)?.name ?? orgId;
  }

  /** The organization an Org name answer names, if it signs in with this server; else the message. */
  org(name: string): OrgRef | string {
    let v = this.orgMemo.get(name);
    if (v === undefined) this.orgMemo.set(name, (v = this.resolveOrg(name)));
    return v;
  }

  private resolveOrg(name: string): OrgRef | string {
    const org = this.orgsByKey.get(nameKey(name));
    if (!org) return unknownOrg(name);
    if (org.authServerId !== this.ctx.serverId) return orgOfOtherServer(org.name, this.ctx.serverName);
    return org;
  }

  /** The server's default organization for new users, the message saying why it cannot be used, or null (none set). */
  defaultOrg(): OrgRef | string | null {
    const { defaultOrgId, serverId, serverName } = this.ctx;
    if (!defaultOrgId) return null;
    const d = this.orgsById.get(defaultOrgId);
    return !d ? DEFAULT_ORG_GONE : d.authServerId !== serverId ? defaultOrgOfOtherServer(d.name, serverName) : d;
  }

  /** Sorted role ids of a distinct Role name answer (see CollectedEntries.roleAnswerOf), or the message. */
  rolesOf(answer: number): string[] | string {
    return (this.rolesOfAnswer[answer] ??= this.roles(this.entries.roleNames(answer)));
  }

  // Keyed as it always was: answers whose names join alike resolve alike.
  private roles(names: readonly string[]): string[] | string {
    const key = names.join('\x1f');
    let v = this.roleMemo.get(key);
    if (v === undefined) this.roleMemo.set(key, (v = this.resolveRoles(names)));
    return v;
  }

  private resolveRoles(names: readonly string[]): string[] | string {
    const ids = new Set<string>();
    const unknown: string[] = [];
    for (const n of names) {
      if (n.trim() === '') continue;
      const r = this.rolesByKey.get(nameKey(n));
      if (r) ids.add(r.id);
      else unknown.push(n);
    }
    if (unknown.length) return unknownRoles(unknown);
    return [...ids].sort();
  }

  /** Role names, sorted and joined (none: "(none)"). */
  roleList(ids: readonly string[]): string {
    return ids.length ? ids.map((id) => this.roleName.get(id) ?? id).sort((a, b) => a.localeCompare(b)).join(', ') : NO_ROLES_TEXT;
  }

  /** roleList of a shared list (a resolved answer, a managed user's list): named once per list. */
  roleListOf(ids: readonly string[]): string {
    let v = this.roleListMemo.get(ids);
    if (v === undefined) this.roleListMemo.set(ids, (v = this.roleList(ids)));
    return v;
  }

  /** A created user's reason for a shared role list. */
  createReason(ids: readonly string[]): string {
    let v = this.createReasonMemo.get(ids);
    if (v === undefined) this.createReasonMemo.set(ids, (v = createdWithRoles(this.roleListOf(ids))));
    return v;
  }
}
