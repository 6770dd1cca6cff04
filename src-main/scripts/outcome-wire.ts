/**
 * Script outcomes between a script worker and the main thread in a compact form: Active as one
 * byte per entry, Org names as one string, Role names as a table of distinct answers plus one
 * index per entry, and errors and console lines only for the entries that have some. Cloning
 * 1,000 outcome objects would cost more than evaluating them.
 */
import { SCRIPT_NAMES, type ScriptName } from '../../src-shared/domain/script-names';
import type { ScriptErrorInfo } from '../../src-shared/domain/scripts';
import { NO_ERRORS, NO_LOGS, NO_ROLES, type ScriptOutcome } from './evaluation';

/** Outcomes packed for postMessage; `active` and `roleOf` buffers can be transferred. */
export interface PackedOutcomes {
  count: number;
  /** -1 null, 0 false, 1 true. */
  active: Int8Array;
  /** Org names joined by U+0001, '' for none (names never hold control characters). */
  orgs: string;
  /** The distinct Role name answers. */
  roles: string[][];
  /** Per entry, its answer in `roles`, or -1 for none. */
  roleOf: Int32Array;
  errors: Array<[number, ScriptErrorInfo[]]>;
  /** [entry, script slot, text]. */
  logs: Array<[number, number, string]>;
}

/** Packs outcomes (the worker's side). */
export function packOutcomes(outcomes: readonly ScriptOutcome[]): PackedOutcomes {
  const n = outcomes.length;
  const active = new Int8Array(n);
  const orgs: string[] = new Array(n);
  const roleOf = new Int32Array(n);
  const roleIds = new Map<readonly string[], number>();
  const roles: string[][] = [];
  const errors: PackedOutcomes['errors'] = [];
  const logs: PackedOutcomes['logs'] = [];
  for (let e = 0; e < n; e++) {
    const o = outcomes[e];
    active[e] = o.active === null ? -1 : o.active ? 1 : 0;
    orgs[e] = o.org ?? '';
    if (o.roles.length === 0) roleOf[e] = -1;
    else {
      let id = roleIds.get(o.roles);
      if (id === undefined) {
        id = roles.push([...o.roles]) - 1;
        roleIds.set(o.roles, id);
      }
      roleOf[e] = id;
    }
    if (o.errors.length > 0) errors.push([e, [...o.errors]]);
    for (const l of o.logs) logs.push([e, SCRIPT_NAMES.indexOf(l.script), l.text]);
  }
  return { count: n, active, orgs: orgs.join('\u0001'), roles, roleOf, errors, logs };
}

/** Unpacks outcomes (the main thread's side); `dn` gives each console line its entry's dn. */
export function unpackOutcomes(p: PackedOutcomes, dn: (entry: number) => string): ScriptOutcome[] {
  const out: ScriptOutcome[] = new Array(p.count);
  const roles = p.roles.map((r) => Object.freeze(r) as string[]);
  const orgs = p.count > 0 ? p.orgs.split('\u0001') : [];
  for (let e = 0; e < p.count; e++) {
    const a = p.active[e];
    const r = p.roleOf[e];
    out[e] = { active: a < 0 ? null : a === 1, org: orgs[e] === '' ? null : orgs[e], roles: r < 0 ? NO_ROLES : roles[r], errors: NO_ERRORS, logs: NO_LOGS };
  }
  for (const [e, errors] of p.errors) out[e].errors = errors;
  for (const [e, s, text] of p.logs) {
    const o = out[e];
    const log = { script: SCRIPT_NAMES[s] as ScriptName, dn: dn(e), text };
    if (o.logs === NO_LOGS) o.logs = [log];
    else (o.logs as Array<typeof log>).push(log);
  }
  return out;
}
