/**
 * The names and labels of the three user scripts, apart from mapping.ts's zod schemas: the script
 * worker needs these constants, and importing mapping.ts would load zod into it (~50 ms at start).
 */

/** The three user scripts, by name. */
export const SCRIPT_NAMES = ['active', 'orgName', 'roleName'] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** Human labels for the scripts. */
export const SCRIPT_LABELS: Record<ScriptName, string> = { active: 'Active', orgName: 'Org name', roleName: 'Role name' };

/** The reference product's default Active script, kept byte for byte. */
export const DEFAULT_ACTIVE_SCRIPT = 'function(entry) { return true; }';
