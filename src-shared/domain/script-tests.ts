/**
 * Script test cases: a sample entry (taken from a snapshot or preview row, or written by hand) and
 * the result one script should give for it. Saved with the server; run on every edit and by
 * `ldap-sync script test`.
 */
import { z } from 'zod';
import { SCRIPT_NAMES, type ScriptName } from './mapping';

export const TestEntry = z.object({
  dn: z.string().max(4096),
  attributes: z.record(z.string().min(1).max(200), z.array(z.string().max(65_536)).max(1000)),
  /**
   * The DNs of the groups the entry is in, directly or through nested groups, nearest first: what
   * the `groups` helpers see for it (`groups.of(entry)`). Absent: in no group.
   */
  groups: z.array(z.string().min(1).max(4096)).max(1000).optional(),
});
export type TestEntry = z.infer<typeof TestEntry>;

/** What a script should return: Active a boolean, Org name a name or null, Role name a list of role names. */
export const ScriptTestCase = z
  .object({
    id: z.string().min(1).max(100),
    script: z.enum(SCRIPT_NAMES),
    name: z.string().trim().max(200),
    entry: TestEntry,
    expected: z.union([z.boolean(), z.string().max(200), z.null(), z.array(z.string().max(200)).max(100)]),
  })
  .superRefine((c, ctx) => {
    const ok =
      c.script === 'active' ? typeof c.expected === 'boolean'
      : c.script === 'orgName' ? typeof c.expected === 'string' || c.expected === null
      : Array.isArray(c.expected);
    if (!ok) {
      const want = c.script === 'active' ? 'true or false' : c.script === 'orgName' ? 'an organization name or null' : 'a list of role names';
      ctx.addIssue({ code: 'custom', path: ['expected'], message: `The ${c.script} script's expected result must be ${want}` });
    }
  });
export type ScriptTestCase = z.infer<typeof ScriptTestCase>;

export const ScriptTestCases = z.array(ScriptTestCase).max(500);

/** The outcome of one test case. */
export interface ScriptTestResult {
  id: string;
  script: ScriptName;
  name: string;
  pass: boolean;
  expected: ScriptTestCase['expected'];
  /** What the script returned (undefined when it failed). */
  actual?: boolean | string | null | string[];
  /** The script's error, when it failed. */
  error?: string;
}

/** Shows an expected or actual value the way the editor and the CLI print it. */
export function formatTestValue(v: ScriptTestCase['expected'] | undefined): string {
  if (v === undefined) return '(no result)';
  if (Array.isArray(v)) return v.length ? v.map((r) => JSON.stringify(r)).join(', ') : '(no roles)';
  return JSON.stringify(v);
}
