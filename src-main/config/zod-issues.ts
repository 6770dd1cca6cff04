import type { z } from 'zod';
import type { FieldIssue } from '../../src-shared/errors';
import { describeJson, jsonPath, valueAt, type PathSegment } from './json-path';
import { KNOWN_KEYS } from './config-schema';

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
};

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** The known key closest to a misspelt one, if it is close enough to be a typo. */
export function suggestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of KNOWN_KEYS) {
    const d = distance(key, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

function message(issue: z.core.$ZodIssue, doc: unknown, at: readonly PathSegment[]): string {
  switch (issue.code) {
    case 'invalid_type': {
      const actual = valueAt(doc, at);
      const want = TYPE_WORDS[issue.expected] ?? issue.expected;
      return actual === undefined ? `is required (${want})` : `must be ${want}, not ${describeJson(actual)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `needs at least ${issue.minimum} entries`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `is too long (at most ${issue.maximum} characters)`;
      if (issue.origin === 'array') return `has too many entries (at most ${issue.maximum})`;
      return `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/**
 * Turns zod issues about `doc` into field issues with JSON paths under `prefix`, one per unknown
 * key (with a "did you mean" hint) and with messages in config-file words.
 */
export function zodIssuesToFields(issues: readonly z.core.$ZodIssue[], doc: unknown, prefix: readonly PathSegment[] = []): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const at = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const hint = suggestKey(key);
        out.push({ path: jsonPath([...prefix, ...at, key]), message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}` });
      }
      continue;
    }
    out.push({ path: jsonPath([...prefix, ...at]), message: message(issue, doc, at) });
  }
  return out;
}
