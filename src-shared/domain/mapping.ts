import { z } from 'zod';

// The script names live in a zod-free file (the script worker imports them); re-exported here.
export { DEFAULT_ACTIVE_SCRIPT, SCRIPT_LABELS, SCRIPT_NAMES, type ScriptName } from './script-names';

/** An LDAP attribute name as typed in a mapping field ('' = not mapped). */
const AttributeName = z
  .string()
  .max(200)
  .regex(/^$|^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/, 'an attribute name such as mail or givenName');

/** Which attributes fill the user's email, first name and last name. */
export const AttributeMapping = z.object({
  email: AttributeName,
  firstName: AttributeName,
  lastName: AttributeName,
});
export type AttributeMapping = z.infer<typeof AttributeMapping>;

/** The Active (required), Org name and Role name (optional: null) scripts, as source text. */
export const ServerScripts = z.object({
  active: z.string().max(100_000),
  orgName: z.string().max(100_000).nullable(),
  roleName: z.string().max(100_000).nullable(),
});
export type ServerScripts = z.infer<typeof ServerScripts>;
