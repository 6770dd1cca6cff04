// What the renderer says about each of the three user scripts. Types only come from the shared domain:
// its value exports sit next to zod schemas, which stay out of the renderer bundle.
import type { ScriptName } from '../../../src-shared/domain/mapping';

/** The scripts in display order. */
export const SCRIPT_ORDER: readonly ScriptName[] = ['active', 'orgName', 'roleName'];

/** Per-script wording: the title (also the editor's accessible name) and what the script must return. */
export const SCRIPT_META: Record<ScriptName, { title: string; short: string; returns: string; optional: boolean }> = {
  active: { title: 'Active script', short: 'Active', returns: 'true to keep the user active, false to deactivate', optional: false },
  orgName: { title: 'Org name script', short: 'Org name', returns: "the organization's name, as a string", optional: true },
  roleName: { title: 'Role name script', short: 'Role name', returns: 'a role name, or an array of role names', optional: true },
};

/** The source a new Org name script starts with: a working function, its comments saying how to adapt it. */
export const ORG_NAME_TEMPLATE = `function(entry) {
  // Return the name of the organization this user belongs to, as a string.
  // It must match an existing organization's name exactly, for example:
  //   if (entry.employeeType == 'contractor') return 'Contractors';
  //   return entry.departmentNumber;
  return 'Default';
}`;

/** The source a new Role name script starts with. */
export const ROLE_NAME_TEMPLATE = `function(entry) {
  // Return a role name, or an array of role names, for this user, for example:
  //   if (entry.has('employeeType', 'admin')) return ['Org Admin', 'Desktop User'];
  // An empty array grants no role.
  return [];
}`;

/** The template an optional script is created with. */
export function templateOf(name: ScriptName): string {
  return name === 'roleName' ? ROLE_NAME_TEMPLATE : ORG_NAME_TEMPLATE;
}

/** "12 µs/entry", with one decimal below 10 µs; an em dash while unknown. */
export function formatCost(microseconds: number | null | undefined): string {
  if (microseconds === null || microseconds === undefined || !Number.isFinite(microseconds)) return '— µs/entry';
  const text = microseconds < 10 ? microseconds.toFixed(1) : String(Math.round(microseconds));
  return `${text} µs/entry`;
}
