/**
 * Which saved scripts return an organization or role name, so renaming or deleting it can warn:
 * "the Org name script of Corp returns "Sales"". Read from the scripts' text: a name the script
 * spells as a string literal ('Sales', "Sales", `Sales`); names a script computes from the entry
 * (entry.ou) cannot be known without the directory, and the preview shows those on its rows.
 */
import type { ScriptName } from '../../src-shared/domain/mapping';
import type { ScriptNameUse } from '../../src-shared/domain/preview';
import type { ServerView } from '../../src-shared/domain/server';
import { nameKey } from '../store/name-key';

/** The string literals of a JavaScript text, decoded for the common escapes; comments and regular expressions are skipped. */
export function stringLiterals(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      let value = '';
      let j = i + 1;
      let computed = false;
      for (; j < text.length && text[j] !== c; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[++j];
          value += n === 'n' ? '\n' : n === 't' ? '\t' : n;
        } else if (c === '`' && text[j] === '$' && text[j + 1] === '{') {
          computed = true;
          value += text[j];
        } else value += text[j];
      }
      if (!computed) out.push(value);
      i = j + 1;
    } else i++;
  }
  return out;
}

const SCRIPT_OF = { org: 'orgName', role: 'roleName' } as const satisfies Record<string, ScriptName>;

/** The saved servers whose Org name (kind 'org') or Role name (kind 'role') script spells `name` (compared as the store compares names). */
export function scriptsReturningName(servers: readonly ServerView[], kind: 'org' | 'role', name: string): ScriptNameUse[] {
  const script = SCRIPT_OF[kind];
  const wanted = nameKey(name);
  const uses: ScriptNameUse[] = [];
  for (const s of servers) {
    const text = s.scripts[script];
    if (!text || text.trim() === '') continue;
    if (stringLiterals(text).some((l) => l.trim() !== '' && nameKey(l) === wanted)) uses.push({ serverId: s.id, serverName: s.name, script });
  }
  return uses;
}
