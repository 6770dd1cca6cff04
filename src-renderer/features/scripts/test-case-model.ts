// Pure helpers behind the script test cases: the `name: value` attribute text, the group DNs, expected
// values as the editor shows and parses them, and cases made from a preview row. Types only from the shared domain
// (its value exports sit next to zod schemas, which stay out of the renderer bundle).
import type { ScriptName, ServerScripts } from '../../../src-shared/domain/mapping';
import type { PreviewRow, RawEntry } from '../../../src-shared/domain/preview';
import type { ScriptTestCase, ScriptTestResult, TestEntry } from '../../../src-shared/domain/script-tests';
import { newId } from '../../ui/new-id';

/** What a script's case expects. */
export type Expected = ScriptTestCase['expected'];

/** The contract's limits on a test entry (longer values are left out of a case made from a row). */
const MAX_VALUE = 65_536;
const MAX_VALUES = 1000;
const MAX_DN = 4096;

/** An expected or actual value as the editor prints it: true, "Fjordline Oslo", none, "A", "B", (no roles). */
export function formatValue(v: Expected | undefined): string {
  if (v === undefined) return '(no result)';
  if (v === null) return 'none';
  if (Array.isArray(v)) return v.length ? v.map((r) => JSON.stringify(r)).join(', ') : '(no roles)';
  return JSON.stringify(v);
}

/** The attributes as `name: value` lines, one line per value. */
export function attributesToText(attributes: TestEntry['attributes']): string {
  const lines: string[] = [];
  for (const [name, values] of Object.entries(attributes)) for (const v of values) lines.push(`${name}: ${v.replace(/\r?\n/g, ' ')}`);
  return lines.join('\n');
}

/** `name: value` lines (a repeated name adds a value; blank lines are skipped), or the first bad line. */
export function parseAttributesText(text: string): { ok: true; attributes: TestEntry['attributes'] } | { ok: false; message: string } {
  const attributes: Record<string, string[]> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    if (colon < 0 || !/^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/.test(name)) {
      return { ok: false, message: `Line ${i + 1}: write one attribute per line as name: value, e.g. mail: ann@example.com` };
    }
    const value = line.slice(colon + 1).replace(/^ /, '');
    const key = Object.keys(attributes).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    (attributes[key] ??= []).push(value);
  }
  return { ok: true, attributes };
}

/** Group DNs as the editor shows them: one per line. */
export function groupsToText(groups: readonly string[] | undefined): string {
  return (groups ?? []).join('\n');
}

/** Group DNs from text, one per line (blank lines skipped, surrounding spaces trimmed), or the first bad line. */
export function parseGroupsText(text: string): { ok: true; groups: string[] } | { ok: false; message: string } {
  const groups: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const dn = lines[i].trim();
    if (dn === '') continue;
    if (!/^[^=,]+=/.test(dn)) return { ok: false, message: `Groups, line ${i + 1}: write one group DN per line, e.g. cn=staff,ou=groups,dc=example,dc=com` };
    if (dn.length > MAX_DN) return { ok: false, message: `Groups, line ${i + 1}: a DN is at most ${MAX_DN} characters long` };
    groups.push(dn);
  }
  if (groups.length > MAX_VALUES) return { ok: false, message: `Groups: at most ${MAX_VALUES} groups per test case` };
  return { ok: true, groups };
}

/** Role names from comma-separated text (blanks dropped). */
export function parseRoles(text: string): string[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

/**
 * An entry's attributes as a test case holds them: text as is, binary as base64 (values too long to
 * keep are left out), and its groups when the preview read them (the scripts use the groups helpers).
 */
export function testEntryOf(raw: RawEntry): { entry: TestEntry; skipped: string[] } {
  const attributes: Record<string, string[]> = {};
  const skipped: string[] = [];
  for (const attr of raw.attributes) {
    const values = attr.values.map((v) => (v.kind === 'text' ? v.text : v.base64));
    const kept = values.filter((v) => v.length <= MAX_VALUE).slice(0, MAX_VALUES);
    if (kept.length < values.length) skipped.push(attr.name);
    if (kept.length) attributes[attr.name] = kept;
  }
  const entry: TestEntry = { dn: raw.dn, attributes };
  if (raw.groups) entry.groups = raw.groups.filter((g) => g.length <= MAX_DN).slice(0, MAX_VALUES);
  return { entry, skipped };
}

/** A short name for a case made from an entry: the row's username, else the DN's first RDN value. */
export function entryLabel(dn: string, username: string | null): string {
  if (username) return username;
  const rdn = /^[^=,]+=((?:\\.|[^,\\])*)/.exec(dn);
  return (rdn?.[1] ?? dn).slice(0, 200);
}

/**
 * One case per script the form has, for the entry of a preview row, each expecting what the row shows
 * now (the script's current result). A script that failed on the row gives no case.
 */
export function casesFromRow(row: PreviewRow, entry: TestEntry, scripts: ServerScripts): ScriptTestCase[] {
  const failed = (name: ScriptName) => row.errors.some((e) => e.script === name && e.code.startsWith('SCRIPT_'));
  const name = entryLabel(row.dn, row.username);
  const cases: ScriptTestCase[] = [];
  const add = (script: ScriptName, expected: Expected) => cases.push({ id: newId(), script, name, entry: structuredClone(entry), expected });
  if (scripts.active.trim() !== '' && row.active !== null && !failed('active')) add('active', row.active);
  if (scripts.orgName !== null && scripts.orgName.trim() !== '' && !failed('orgName')) add('orgName', row.org);
  if (scripts.roleName !== null && scripts.roleName.trim() !== '' && !failed('roleName')) add('roleName', [...row.roles]);
  return cases;
}

/** How a case stands: passed, failed, or not run yet for the current scripts. */
export type CaseStatus = 'pass' | 'fail' | 'pending';

/** The status of a case given the latest results. */
export function statusOf(result: ScriptTestResult | undefined): CaseStatus {
  if (!result) return 'pending';
  return result.pass ? 'pass' : 'fail';
}
