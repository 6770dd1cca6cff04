import { z } from 'zod';
import { SCRIPT_NAMES, type AttributeMapping, type ScriptName, type ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptTestCase, TestEntry } from '../../src-shared/domain/script-tests';
import { DEFAULT_PAGE_SIZE, DEFAULT_TIMEOUT_SECONDS, MAX_PAGE_SIZE, MIN_PAGE_SIZE } from '../../src-shared/domain/server';
import { SERVER_PRESET_IDS, type ServerPresetId } from '../../src-shared/domain/presets';

/** `{ "env": NAME }` or `{ "file": PATH }`: where a bind password is read from. Never the password. */
export type BindPasswordJson = { env: string } | { file: string };

/** One trusted certificate in a config file: a PEM file (relative to the config file) or inline PEM text. */
export type CertificateEntryJson = { file: string } | { pem: string };

/** One `trustedCertificates` entry: exactly one of `file` and `pem`. */
export const CertificateEntrySchema = z
  .strictObject({ file: z.string().min(1).optional(), pem: z.string().min(1).optional() })
  .refine((c) => (c.file === undefined) !== (c.pem === undefined), 'give exactly one of "file" (a PEM file) or "pem" (the PEM text)');

/** `"mapping"`: attribute names for email, first and last name; each key defaults on its own. */
export const MappingEntrySchema = z.strictObject({
  email: z.string().max(200).optional(),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
});

/** `"scripts"`: the Active, Org name and Role name scripts (null: none); each key defaults on its own. */
export const ScriptsEntrySchema = z.strictObject({
  active: z.string().max(100_000).optional(),
  orgName: z.string().max(100_000).nullable().optional(),
  roleName: z.string().max(100_000).nullable().optional(),
});

/**
 * The entry a script test case gives its script: `{ "dn", "attributes": { NAME: [VALUES] }, "groups": [DNS] }`
 * (`groups`, optional: the DNs of the groups it is in, direct and nested, for the `groups` helpers).
 */
export const TestEntrySchema = z.strictObject({
  dn: TestEntry.shape.dn,
  attributes: z.record(z.string().min(1).max(200), z.array(z.string().max(65_536)).max(1000), {
    error: 'must be an object of attribute names and their values, e.g. { "uid": ["jdoe"], "employeeType": ["staff"] }',
  }),
  groups: z
    .array(z.string().min(1).max(4096), { error: 'must be a list of group DNs, e.g. ["cn=staff,ou=groups,dc=example,dc=com"]' })
    .max(1000)
    .optional(),
});

/**
 * One `scriptTests` entry: the script (active, orgName or roleName), a name, the entry and what the
 * script should return; `id` is generated when absent. The expected type per script is checked by
 * {@link ScriptTestCase}.
 */
export const ScriptTestEntrySchema = z.strictObject({
  id: ScriptTestCase.shape.id.optional(),
  script: z.enum(SCRIPT_NAMES, { error: (i) => `${i.input === undefined ? 'is required:' : 'must be'} "active", "orgName" or "roleName"` }),
  name: ScriptTestCase.shape.name,
  entry: TestEntrySchema,
  expected: z.union([z.boolean(), z.string().max(200), z.null(), z.array(z.string().max(200)).max(100)], {
    error: (i) => `${i.input === undefined ? 'is required:' : 'must be'} true or false (active), an organization name or null (orgName), or a list of role names (roleName)`,
  }),
});

/**
 * The shape of one server entry (checked strictly: unknown keys are errors). `bindPassword` is
 * checked separately so a plaintext password gets its own explanation.
 */
export const ServerEntrySchema = z.strictObject({
  name: z.string().max(200),
  url: z.string().max(4096),
  startTls: z.boolean().default(false),
  bindAnonymously: z.boolean().default(false),
  bindDn: z.string().max(4096).default(''),
  bindPassword: z.unknown().optional(),
  /** Fills searchFilter, mapping and scripts.active (see src-shared/domain/presets.ts); the entry's own keys win. */
  preset: z.enum(SERVER_PRESET_IDS, { error: `must be ${SERVER_PRESET_IDS.map((id) => `"${id}"`).join(' or ')}` }).optional(),
  /** Required unless a preset gives it. */
  searchFilter: z.string().max(8192).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).default(DEFAULT_TIMEOUT_SECONDS),
  /** Entries per page of every paged read (389-ds applies its size limit per page: a smaller page reads more). */
  pageSize: z.number().int().min(MIN_PAGE_SIZE).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  trustedCertificates: z.array(CertificateEntrySchema).max(50).default([]),
  mapping: MappingEntrySchema.optional(),
  scripts: ScriptsEntrySchema.optional(),
  createUsers: z.boolean().default(false),
  defaultOrg: z.string().max(200).nullable().default(null),
  /** Omitted: a new server is online, an existing one keeps its own. */
  offline: z.boolean().optional(),
  /** The attached snapshot's name (null: none). Omitted: an existing server keeps its own. */
  snapshot: z.string().max(200).nullable().optional(),
  /** Checked entry by entry (see ScriptTestEntrySchema). Omitted: an existing server keeps its own. */
  scriptTests: z.array(z.unknown()).max(500).optional(),
});

/**
 * One organization entry. `auth` is checked separately (`"local"` or `{ "ldapServer": NAME }`)
 * so a wrong value gets one clear message.
 */
export const OrganizationEntrySchema = z.strictObject({
  name: z.string().max(200),
  parent: z.string().max(200).nullable().optional(),
  auth: z.unknown(),
});

/** `"deactivationLimit"`: each key defaults on its own. */
export const DeactivationLimitEntrySchema = z.strictObject({
  percent: z.number().min(0).max(100).optional(),
  count: z.number().int().min(0).max(10_000_000).optional(),
  dropPercent: z.number().min(0).max(100).optional(),
});

/** `"sync"`: the global sync settings; each key defaults on its own. `every` and `registrantsNotFound` are checked separately. */
export const SyncEntrySchema = z.strictObject({
  every: z.string().max(20).optional(),
  deactivationLimit: DeactivationLimitEntrySchema.optional(),
  registrantsNotFound: z.unknown().optional(),
});

/** The top level of a config file: every key is optional, but a file must have at least one. */
export const ConfigFileSchema = z.strictObject({
  servers: z.array(z.unknown()).optional(),
  organizations: z.array(z.unknown()).max(10_000).optional(),
  roles: z.array(z.unknown()).max(10_000).optional(),
  sync: z.unknown().optional(),
});

/** A server entry as written in (or exported to) a config file. */
export interface ServerEntryJson {
  name: string;
  url: string;
  startTls?: boolean;
  bindAnonymously?: boolean;
  bindDn?: string;
  bindPassword?: BindPasswordJson;
  /** Fills searchFilter, mapping and scripts.active; the entry's own keys win. */
  preset?: ServerPresetId;
  searchFilter?: string;
  timeoutSeconds?: number;
  /** Entries per page of paged reads, 10 to 5000 (default 1000). */
  pageSize?: number;
  trustedCertificates?: CertificateEntryJson[];
  mapping?: Partial<AttributeMapping>;
  scripts?: Partial<ServerScripts>;
  createUsers?: boolean;
  /** The organization (by name) users created by this server's sync go to when no Org name script places them. */
  defaultOrg?: string | null;
  /** No connection: previews and simulations read the snapshot only. */
  offline?: boolean;
  /** The name of the snapshot attached as this server's source. */
  snapshot?: string | null;
  /** Saved test cases of the scripts. */
  scriptTests?: ScriptTestJson[];
}

/** A script test case as written in (or exported to) a config file. */
export interface ScriptTestJson {
  id?: string;
  script: ScriptName;
  name: string;
  entry: { dn: string; attributes: Record<string, string[]> };
  expected: boolean | string | null | string[];
}

/** How an organization's users sign in, as a config file writes it. */
export type OrganizationAuthJson = 'local' | { ldapServer: string };

/** An organization entry as written in (or exported to) a config file. */
export interface OrganizationEntryJson {
  name: string;
  parent?: string | null;
  auth: OrganizationAuthJson;
}

/** A whole config file as written (or exported). */
export interface ConfigFileJson {
  servers?: ServerEntryJson[];
  organizations?: OrganizationEntryJson[];
  roles?: string[];
  sync?: {
    every?: string;
    deactivationLimit?: { percent?: number; count?: number; dropPercent?: number };
    registrantsNotFound?: { action: 'deny' } | { action: 'placeInOrg'; org: string };
  };
}

/** Every key a config file may hold, for "did you mean" hints on typos. */
export const KNOWN_KEYS: readonly string[] = [
  ...Object.keys(ConfigFileSchema.shape),
  ...Object.keys(ServerEntrySchema.shape),
  ...Object.keys(MappingEntrySchema.shape),
  ...Object.keys(ScriptsEntrySchema.shape),
  ...Object.keys(OrganizationEntrySchema.shape),
  ...Object.keys(SyncEntrySchema.shape),
  ...Object.keys(DeactivationLimitEntrySchema.shape),
  ...Object.keys(ScriptTestEntrySchema.shape),
  ...Object.keys(TestEntrySchema.shape),
  'ldapServer',
  'action',
  'org',
  'env',
  'file',
  'pem',
];
