// Completion of the `entry` object inside a script: `entry.` offers the attribute names seen in the
// preview plus dn, all( and has(; inside `entry.all('` / `entry.has('` the attribute names again.
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const MEMBERS: Completion[] = [
  { label: 'dn', type: 'property', detail: 'string', info: 'The distinguished name of the entry.', boost: 3 },
  { label: 'all(', type: 'method', detail: '(name) → string[]', info: 'Every value of an attribute, [] when absent.', apply: "all('", boost: 2 },
  { label: 'has(', type: 'method', detail: '(name, value) → boolean', info: 'Case-insensitive test: does the attribute hold this value?', apply: "has('", boost: 2 },
];

function attributeCompletion(name: string): Completion {
  // `entry.x-y` is not valid JavaScript: such names are offered through all() instead.
  if (IDENTIFIER.test(name)) return { label: name, type: 'property', detail: 'first value' };
  return { label: name, type: 'property', detail: 'use all()', apply: `all('${name}')[0]` };
}

/**
 * A completion source over the attribute names `names()` returns at the time of completion
 * (they change as the preview refreshes).
 */
export function entryCompletionSource(names: () => readonly string[]): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const inCall = context.matchBefore(/\bentry\.(?:all|has)\(\s*['"][\w;.-]*$/);
    if (inCall) {
      const quote = Math.max(inCall.text.lastIndexOf("'"), inCall.text.lastIndexOf('"'));
      return {
        from: inCall.from + quote + 1,
        options: names().map((name) => ({ label: name, type: 'property' })),
        validFor: /^[\w;.-]*$/,
      };
    }
    const member = context.matchBefore(/\bentry\.[\w$]*$/);
    if (!member) return null;
    const from = member.from + 'entry.'.length;
    const seen = new Set(MEMBERS.map((m) => m.label.replace('(', '')));
    const options = [...MEMBERS, ...names().filter((n) => !seen.has(n)).map(attributeCompletion)];
    return { from, options, validFor: /^[\w$]*$/ };
  };
}
