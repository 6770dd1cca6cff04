import { isBinaryIn, type DirectoryEntry } from '../directory/entry';

/** How many distinct values per attribute the mapping pickers show (3), and how long each may be (60 characters). */
export const SAMPLE_LIMITS = { values: 3, chars: 60 } as const;

// Secrets and their hashes are never offered as samples, even where the bind account may read them.
const SECRET_NAME = /passw(or)?d|pwd|secret|(^|;)krb|ntlm/i;

/**
 * A few sample values per attribute from the entries of a preview page, for the attribute pickers
 * (the admin sees what `mail` or `displayName` holds before choosing it). Binary values and
 * password-like attributes are left out; long values are cut with an ellipsis. Keys are spelled as
 * the first entry that has the attribute spells them.
 */
export function attributeSamples(entries: readonly DirectoryEntry[]): Record<string, string[]> {
  const out = new Map<string, { name: string; values: Set<string> }>();
  for (const entry of entries) {
    for (const [name, values] of Object.entries(entry.attributes)) {
      if (SECRET_NAME.test(name) || isBinaryIn(entry, name)) continue;
      const key = name.toLowerCase();
      let slot = out.get(key);
      if (!slot) out.set(key, (slot = { name, values: new Set() }));
      for (const v of values) {
        if (slot.values.size >= SAMPLE_LIMITS.values) break;
        const text = v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
        if (text) slot.values.add(text.length > SAMPLE_LIMITS.chars ? `${text.slice(0, SAMPLE_LIMITS.chars)}…` : text);
      }
    }
  }
  const result: Record<string, string[]> = {};
  for (const { name, values } of out.values()) if (values.size) result[name] = [...values];
  return result;
}
