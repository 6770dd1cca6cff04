// Completion of the scripts' helpers (docs/scripting.md, "Helpers: ad and groups"): `ad.` and
// `groups.` offer their members with what each takes and gives; `ad.UAC.` and the flag argument of
// `ad.hasUacFlag(entry, '` offer the userAccountControl flag names. Members that take an attribute's
// value complete to `(entry.`, where the entry completion offers the attribute names.
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';
import { UAC_FLAG_NAMES } from '../../../src-shared/domain/ad-uac';

const AD: Completion[] = [
  { label: 'isDisabled', type: 'method', detail: '(entry) → boolean', info: 'true when userAccountControl has ACCOUNTDISABLE (2) set.', apply: 'isDisabled(entry)', boost: 3 },
  { label: 'uacFlags', type: 'method', detail: '(entry or value) → string[]', info: "The names of the userAccountControl bits set, lowest first: ['ACCOUNTDISABLE', 'NORMAL_ACCOUNT'].", apply: 'uacFlags(entry)', boost: 2 },
  { label: 'hasUacFlag', type: 'method', detail: '(entry or value, name) → boolean', info: "One named userAccountControl bit (any case), e.g. ad.hasUacFlag(entry, 'LOCKOUT').", apply: "hasUacFlag(entry, '", boost: 2 },
  { label: 'UAC', type: 'constant', detail: 'object', info: 'The userAccountControl bits by name: ad.UAC.PASSWORD_EXPIRED === 8388608.', apply: 'UAC.' },
  { label: 'fileTime', type: 'method', detail: '(value) → Date | null', info: "A FILETIME (accountExpires, pwdLastSet, lastLogonTimestamp) as a Date; null when absent, 0 or AD's \"never\".", apply: 'fileTime(entry.' },
  { label: 'sid', type: 'method', detail: '(value) → string', info: 'A SID as text: S-1-5-21-...', apply: 'sid(entry.objectSid)' },
  { label: 'guid', type: 'method', detail: '(value) → string', info: 'A GUID as AD tools print it (mixed-endian, lower-case, no braces).', apply: 'guid(entry.objectGUID)' },
];

const GROUPS: Completion[] = [
  { label: 'isMember', type: 'method', detail: '(entry, group DN or name) → boolean', info: 'true when the entry is in the group, directly or through nested groups.', apply: "isMember(entry, '", boost: 3 },
  { label: 'of', type: 'method', detail: '(entry) → string[]', info: 'The DNs of all its groups, direct and nested, nearest first.', apply: 'of(entry)' },
  { label: 'names', type: 'method', detail: '(entry) → string[]', info: 'The names (first RDN values) of all its groups, direct and nested.', apply: 'names(entry)' },
];

const FLAGS: Completion[] = UAC_FLAG_NAMES.map((name) => ({ label: name, type: 'constant' }));

/** `ad.` / `groups.` members (not a property of something else: `x.ad.` is not the helper), and the flag names. */
export const helperCompletionSource: CompletionSource = (context: CompletionContext): CompletionResult | null => {
  const flagArgument = context.matchBefore(/(?<![\w$.])ad\.hasUacFlag\([^()'"]*,\s*['"]\w*$/);
  if (flagArgument) {
    const quote = Math.max(flagArgument.text.lastIndexOf("'"), flagArgument.text.lastIndexOf('"'));
    return { from: flagArgument.from + quote + 1, options: FLAGS, validFor: /^\w*$/ };
  }
  const uac = context.matchBefore(/(?<![\w$.])ad\.UAC\.\w*$/);
  if (uac) return { from: uac.to - /\w*$/.exec(uac.text)![0].length, options: FLAGS, validFor: /^\w*$/ };
  const member = context.matchBefore(/(?<![\w$.])(?:ad|groups)\.[\w$]*$/);
  if (!member) return null;
  const dot = member.text.indexOf('.');
  return { from: member.from + dot + 1, options: member.text.startsWith('ad.') ? AD : GROUPS, validFor: /^[\w$]*$/ };
};
