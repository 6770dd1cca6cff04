/**
 * A small, forgiving JavaScript tokenizer for the static analysis of admin scripts.
 * It knows enough of the grammar to skip comments, strings, template literals and regular
 * expressions correctly; it never throws (an unterminated token simply runs to the end).
 */

/** The kinds of tokens the analysis distinguishes. */
export type TokenType = 'name' | 'string' | 'template' | 'number' | 'regex' | 'punct';

/** One token: `value` is the decoded text for strings and no-substitution templates. */
export interface Token {
  type: TokenType;
  value: string;
  start: number;
  end: number;
  /** A line break separates this token from the previous one. */
  newlineBefore: boolean;
  /** For templates: true when the template has `${...}` substitutions (its value is then partial). */
  substitutions?: boolean;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=',
  '&=', '|=', '^=', '<<', '>>', '**',
];

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_KEYWORD = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', v: '\v', '0': '\0' };

function isIdentStart(c: string): boolean {
  return /[A-Za-z_$\u00a0-\uffff]/.test(c);
}

function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_$\u00a0-\uffff\u200c\u200d]/.test(c);
}

/** Reads a quoted string or template chunk starting after its opening quote; returns [decoded, endIndex]. */
function readQuoted(src: string, from: number, quote: string): { text: string; end: number; dollar: boolean } {
  let text = '';
  let i = from;
  while (i < src.length) {
    const c = src[i];
    if (c === quote) return { text, end: i + 1, dollar: false };
    if (quote === '`' && c === '$' && src[i + 1] === '{') return { text, end: i + 2, dollar: true };
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (n === 'x' && /^[0-9a-fA-F]{2}$/.test(src.slice(i + 2, i + 4))) {
        text += String.fromCharCode(parseInt(src.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
        text += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
        i += 6;
      } else if (n === '\r' || n === '\n') {
        i += src[i + 2] === '\n' && n === '\r' ? 3 : 2;
      } else {
        text += SIMPLE_ESCAPES[n] ?? n;
        i += 2;
      }
      continue;
    }
    if (quote !== '`' && (c === '\n' || c === '\r')) return { text, end: i, dollar: false };
    text += c;
    i++;
  }
  return { text, end: src.length, dollar: false };
}

/** Reads a regular expression literal starting at its opening slash; returns the end index. */
function readRegex(src: string, from: number): number {
  let i = from + 1;
  let inClass = false;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === '\n' || c === '\r') return i;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        i++;
        while (i < src.length && isIdentPart(src[i])) i++;
        return i;
      }
      i++;
    }
  }
  return src.length;
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === 'name') return REGEX_AFTER_KEYWORD.has(prev.value);
  if (prev.type === 'punct') return ![')', ']', '}', '++', '--'].includes(prev.value);
  return false;
}

/** Splits script text into tokens (comments and whitespace dropped). */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  /** For each open brace: true when it opened a template substitution. */
  const braces: boolean[] = [];
  let i = 0;
  let newline = false;
  const push = (type: TokenType, value: string, start: number, end: number, extra?: Partial<Token>) => {
    tokens.push({ type, value, start, end, newlineBefore: newline, ...extra });
    newline = false;
  };
  const readTemplateChunk = (start: number, from: number, continuing: boolean) => {
    const chunk = readQuoted(src, from, '`');
    if (chunk.dollar) braces.push(true);
    // A template with substitutions yields one token per chunk; only whole templates get a usable value.
    push('template', chunk.text, start, chunk.end, { substitutions: chunk.dollar || continuing });
    return chunk.end;
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029') {
      newline = true;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      const end = close < 0 ? src.length : close + 2;
      if (/[\n\r\u2028\u2029]/.test(src.slice(i, end))) newline = true;
      i = end;
    } else if (c === '"' || c === "'") {
      const s = readQuoted(src, i + 1, c);
      push('string', s.text, i, s.end);
      i = s.end;
    } else if (c === '`') {
      i = readTemplateChunk(i, i + 1, false);
    } else if (c === '}' && braces.length > 0 && braces[braces.length - 1]) {
      braces.pop();
      i = readTemplateChunk(i, i + 1, true);
    } else if (isIdentStart(c) || c === '\\') {
      let j = i + 1;
      while (j < src.length && (isIdentPart(src[j]) || src[j] === '\\')) j++;
      push('name', src.slice(i, j), i, j);
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < src.length && /[0-9A-Za-z_.]/.test(src[j])) j++;
      push('number', src.slice(i, j), i, j);
      i = j;
    } else if (c === '/' && regexAllowed(tokens[tokens.length - 1])) {
      const end = readRegex(src, i);
      push('regex', src.slice(i, end), i, end);
      i = end;
    } else {
      let op = PUNCTUATORS.find((p) => src.startsWith(p, i)) ?? c;
      // `a?.5:b` is a conditional, not optional chaining.
      if (op === '?.' && /[0-9]/.test(src[i + 2] ?? '')) op = '?';
      if (op === '{') braces.push(false);
      else if (op === '}') braces.pop();
      push('punct', op, i, i + op.length);
      i += op.length;
    }
  }
  return tokens;
}

/** For each bracket token index, the index of its partner (unmatched brackets are absent). */
export function matchBrackets(tokens: Token[]): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  const open: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  tokens.forEach((t, idx) => {
    if (t.type !== 'punct') return;
    if (t.value === '(' || t.value === '[' || t.value === '{') stack.push(idx);
    else if (t.value in open) {
      const top = stack[stack.length - 1];
      if (top !== undefined && tokens[top].value === open[t.value]) {
        stack.pop();
        pairs.set(top, idx);
        pairs.set(idx, top);
      }
    }
  });
  return pairs;
}
