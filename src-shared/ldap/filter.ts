/**
 * RFC 4515 search filters: a strict parser (no spaces between parts, outer parentheses
 * required, as ldapts expects), a serialiser, and the product's username-placeholder rule:
 * a search filter holds exactly one `(attr=?)` assertion, where `?` stands for the username.
 * Pure code: runs in main and in the renderer.
 */
import { isAttributeDescription, isAttributeType } from './dn';

/** A parsed filter. Values are decoded from `\XX` escapes as UTF-8 (see {@link escapeFilterValue} for bytes that are not). */
export type FilterNode =
  | { kind: 'and'; filters: FilterNode[] }
  | { kind: 'or'; filters: FilterNode[] }
  | { kind: 'not'; filter: FilterNode }
  | { kind: 'equality'; attribute: string; value: string }
  | { kind: 'substrings'; attribute: string; initial: string | null; any: string[]; final: string | null }
  | { kind: 'greaterOrEqual'; attribute: string; value: string }
  | { kind: 'lessOrEqual'; attribute: string; value: string }
  | { kind: 'approx'; attribute: string; value: string }
  | { kind: 'present'; attribute: string }
  | { kind: 'extensible'; attribute: string | null; dnAttributes: boolean; matchingRule: string | null; value: string };

/** The outcome of {@link parseFilter}; positions are 0-based character offsets. */
export type FilterParseResult = { ok: true; filter: FilterNode } | { ok: false; message: string; position: number };

/** The outcome of {@link analyzeSearchFilter}; `placeholderPosition` is the offset of the `?`. */
export type SearchFilterAnalysis =
  | { ok: true; usernameAttribute: string; filter: FilterNode; placeholderPosition: number }
  | { ok: false; message: string; position: number };

const MAX_DEPTH = 100;
const NO_PLACEHOLDER = 'The search filter needs one (attr=?) assertion: ? stands for the username, e.g. (&(objectClass=inetOrgPerson)(uid=?))';
const ATTRIBUTE_DESCRIPTION_HINT = 'use a name such as uid (options such as ;lang-en allowed) or a numeric OID such as 2.5.4.3';

class FilterSyntaxError {
  constructor(readonly index: number, readonly message: string) {}
}

/** An `(attr=?)` found while parsing: where its "(" and its "?" are, and whether a "!" encloses it. */
type Placeholder = { attribute: string; itemStart: number; questionMark: number; underNot: boolean };

const hex2 = (code: number): string => code.toString(16).padStart(2, '0');

/** UTF-8 decoding where each byte of an invalid sequence becomes U+DC80..U+DCFF ("surrogateescape"). */
function decodeUtf8(bytes: number[]): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let out = '';
  for (let k = 0; k < bytes.length; ) {
    const b = bytes[k];
    const size = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    try {
      out += decoder.decode(new Uint8Array(bytes.slice(k, k + size)));
      k += size;
    } catch {
      out += String.fromCharCode(0xdc00 + b);
      k += 1;
    }
  }
  return out;
}

class FilterParser {
  private i = 0;
  private depth = 0;
  private notDepth = 0;
  readonly placeholders: Placeholder[] = [];
  constructor(private readonly text: string) {}

  private fail(index: number, problem: string, hint?: string): never {
    throw new FilterSyntaxError(index, hint ? `${problem} at {position}: ${hint}` : `${problem} at {position}`);
  }

  parse(): FilterNode {
    const { text } = this;
    if (text.length === 0) throw new FilterSyntaxError(0, 'The filter is empty: enter one such as (uid=?)');
    if (text[0] !== '(') {
      if (text[0] === ' ') this.fail(0, 'Unexpected space', 'a filter starts with "("; remove the space');
      throw new FilterSyntaxError(0, 'A filter must be enclosed in parentheses, e.g. (uid=?)');
    }
    const filter = this.parseFilter();
    const extra = text[this.i];
    if (extra === '(') this.fail(this.i, 'A second filter starts after the first one ends', 'combine filters with (&...) or (|...)');
    if (extra === ')') this.fail(this.i, 'Unbalanced parenthesis: extra ")"', 'remove it');
    if (extra !== undefined) this.fail(this.i, `Unexpected "${extra}" after the end of the filter`, 'remove it');
    return filter;
  }

  private missingParen(): never {
    return this.fail(this.text.length, 'Unbalanced parenthesis: missing ")"');
  }

  private parseFilter(): FilterNode {
    const { text } = this;
    const open = this.i++;
    if (++this.depth > MAX_DEPTH) this.fail(open, 'The filter nests too deeply', `keep it under ${MAX_DEPTH} levels`);
    const c = text[this.i];
    let node: FilterNode;
    if (c === '&' || c === '|') {
      this.i++;
      const filters: FilterNode[] = [];
      while (text[this.i] === '(') filters.push(this.parseFilter());
      if (text[this.i] === undefined) this.missingParen();
      if (text[this.i] !== ')') this.fail(this.i, `Unexpected "${text[this.i]}" inside (${c}...)`, 'each part must be a filter in parentheses, e.g. (uid=?)');
      if (filters.length === 0) this.fail(this.i, `(${c}) needs at least one filter inside`, `e.g. (${c}(objectClass=person)(uid=?))`);
      node = c === '&' ? { kind: 'and', filters } : { kind: 'or', filters };
    } else if (c === '!') {
      this.i++;
      if (text[this.i] === undefined) this.missingParen();
      if (text[this.i] !== '(') this.fail(this.i, '(!...) must hold one filter in parentheses', 'e.g. (!(uid=guest))');
      this.notDepth++;
      const inner = this.parseFilter();
      this.notDepth--;
      if (text[this.i] === '(') this.fail(this.i, '(!...) holds exactly one filter', 'wrap several in (&...) or (|...)');
      if (text[this.i] === undefined) this.missingParen();
      if (text[this.i] !== ')') this.fail(this.i, `Unexpected "${text[this.i]}" inside (!...)`, 'remove it');
      node = { kind: 'not', filter: inner };
    } else if (c === ')') {
      this.fail(this.i, 'Empty filter "()"', 'write an assertion such as (uid=?)');
    } else if (c === '(') {
      this.fail(this.i, 'Unexpected "("', 'combine nested filters with & or |, e.g. (&(objectClass=person)(uid=?))');
    } else {
      node = this.parseItem(open);
    }
    this.i++; // the closing ")"
    this.depth--;
    return node;
  }

  private parseItem(open: number): FilterNode {
    const { text } = this;
    const attrStart = this.i;
    while (this.i < text.length && /[A-Za-z0-9.;-]/.test(text[this.i])) this.i++;
    const attribute = text.slice(attrStart, this.i);
    const c = text[this.i];
    const next = text[this.i + 1];
    const isOperator = c === '=' || c === ':' || ((c === '~' || c === '>' || c === '<') && next === '=');
    if (!isOperator) {
      if (c === undefined) this.missingParen();
      if (attribute === '' && '=~<>'.includes(c)) this.fail(this.i, `Missing attribute name before "${c}"`, 'e.g. (uid=?)');
      if (attribute === '') this.fail(this.i, `Expected an attribute name, found "${c}"`, 'e.g. (uid=?)');
      if (c === '~' || c === '>' || c === '<') this.fail(this.i, `Expected "=" after "${c}"`, `write ${c}=`);
      if (c === ')') this.fail(this.i, `Expected an operator (=, ~=, >=, <= or :=) after attribute "${attribute}"`);
      this.fail(this.i, `Unexpected "${c}" after attribute "${attribute}"`, 'attribute names hold letters, digits, "-", "." and ";" and no spaces');
    }
    if (attribute === '' && c !== ':') this.fail(this.i, `Missing attribute name before "${c}"`, 'e.g. (uid=?)');
    if (attribute !== '' && !isAttributeDescription(attribute)) this.fail(attrStart, `Invalid attribute name "${attribute}"`, ATTRIBUTE_DESCRIPTION_HINT);
    if (c === ':') return this.parseExtensible(attribute, attrStart);
    if (c !== '=') {
      this.i += 2;
      const value = this.readValue(`${c}=`)[0];
      return { kind: c === '~' ? 'approx' : c === '>' ? 'greaterOrEqual' : 'lessOrEqual', attribute, value };
    }
    this.i++;
    const valueStart = this.i;
    const parts = this.readValue(null);
    if (parts.length === 1) {
      if (text.slice(valueStart, this.i) === '?') {
        this.placeholders.push({ attribute, itemStart: open, questionMark: valueStart, underNot: this.notDepth > 0 });
      }
      return { kind: 'equality', attribute, value: parts[0] };
    }
    if (parts.length === 2 && parts[0] === '' && parts[1] === '') return { kind: 'present', attribute };
    const [initial, final] = [parts[0], parts[parts.length - 1]];
    return { kind: 'substrings', attribute, initial: initial || null, any: parts.slice(1, -1), final: final || null };
  }

  private parseExtensible(attribute: string, attrStart: number): FilterNode {
    const { text } = this;
    let dnAttributes = false;
    let matchingRule: string | null = null;
    while (!(text[this.i] === ':' && text[this.i + 1] === '=')) {
      if (text[this.i] === undefined) this.missingParen();
      if (text[this.i] !== ':') this.fail(this.i, 'Expected ":=" in the extensible match', 'e.g. (cn:caseExactMatch:=Fred)');
      const tokenStart = ++this.i;
      while (this.i < text.length && /[A-Za-z0-9.-]/.test(text[this.i])) this.i++;
      const token = text.slice(tokenStart, this.i);
      if (token === '') this.fail(tokenStart, 'Expected "dn", a matching rule or "=" after ":"', 'e.g. (cn:dn:caseExactMatch:=Fred)');
      if (!dnAttributes && matchingRule === null && token.toLowerCase() === 'dn') dnAttributes = true;
      else if (matchingRule !== null) this.fail(tokenStart - 1, 'Expected ":=" after the matching rule', 'e.g. (cn:caseExactMatch:=Fred)');
      else if (!isAttributeType(token)) this.fail(tokenStart, `Invalid matching rule "${token}"`, 'use a name such as caseExactMatch or an OID such as 2.5.13.5');
      else matchingRule = token;
    }
    if (attribute === '' && matchingRule === null) {
      this.fail(attrStart, 'An extensible match without an attribute needs a matching rule', 'e.g. (:caseExactMatch:=Fred) or (cn:dn:=Fred)');
    }
    this.i += 2;
    const value = this.readValue(':=')[0];
    return { kind: 'extensible', attribute: attribute === '' ? null : attribute, dnAttributes, matchingRule, value };
  }

  /** Reads an assertion value up to ")"; splits it at unescaped "*" when `operator` is null (the "=" case). */
  private readValue(operator: string | null): string[] {
    const { text } = this;
    const parts: string[] = [];
    let bytes: number[] = [];
    let previousStar = -2;
    for (;;) {
      const c = text[this.i];
      if (c === undefined) this.missingParen();
      if (c === ')') break;
      if (c === '(') this.fail(this.i, 'Unescaped "(" in value', 'write \\28');
      if (c === '\0') this.fail(this.i, 'NUL character in value', 'write \\00');
      if (c === '*') {
        if (operator !== null) this.fail(this.i, `Unescaped "*" in value`, `wildcards only work with "=", not "${operator}"; write \\2a for a literal "*"`);
        if (previousStar === this.i - 1) this.fail(this.i, 'Two "*" in a row', 'remove one');
        previousStar = this.i++;
        parts.push(decodeUtf8(bytes));
        bytes = [];
        continue;
      }
      if (c === '\\') {
        const pair = text.slice(this.i + 1, this.i + 3);
        if (/^[0-9A-Fa-f]{2}$/.test(pair)) {
          bytes.push(parseInt(pair, 16));
          this.i += 3;
          continue;
        }
        const escaped = text[this.i + 1];
        if (escaped === undefined || escaped === ')') this.fail(this.i, 'Lone "\\" at the end of the value', 'write \\5c for a backslash');
        if ('*()\\'.includes(escaped)) this.fail(this.i, `Invalid escape "\\${escaped}"`, `write \\${hex2(escaped.charCodeAt(0))} for a literal "${escaped}"`);
        this.fail(this.i, `Invalid escape "\\${escaped}"`, 'write \\5c for a backslash, or \\ followed by two hex digits such as \\2a');
      }
      const size = text.codePointAt(this.i)! > 0xffff ? 2 : 1;
      bytes.push(...new TextEncoder().encode(text.slice(this.i, this.i + size)));
      this.i += size;
    }
    parts.push(decodeUtf8(bytes));
    return parts;
  }
}

type RunResult = { ok: true; parser: FilterParser; filter: FilterNode } | { ok: false; message: string; position: number };

function runParser(text: string, positionOf: (index: number) => number): RunResult {
  const parser = new FilterParser(text);
  try {
    return { ok: true, parser, filter: parser.parse() };
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    const position = positionOf(error.index);
    return { ok: false, message: error.message.replace('{position}', `position ${position}`), position };
  }
}

/**
 * Parses an RFC 4515 filter. `positionOf` maps offsets when the filter was extracted from a
 * larger text (e.g. a URL). Refuses `(&)`/`(|)` (RFC 4526 true/false, which ldapts cannot parse)
 * and `**` (an empty substring: surely a typo).
 */
export function parseFilter(text: string, positionOf: (index: number) => number = (i) => i): FilterParseResult {
  const result = runParser(text, positionOf);
  return result.ok ? { ok: true, filter: result.filter } : result;
}

/**
 * Checks the product's search-filter rule: a valid filter holding exactly one equality
 * assertion whose raw value is exactly `?` (the username placeholder), not under `(!...)`.
 * `(cn=a?b)`, `(uid=\3f)` and `(uid~=?)` are not placeholders.
 */
export function analyzeSearchFilter(text: string): SearchFilterAnalysis {
  const result = runParser(text, (i) => i);
  if (!result.ok) return result;
  const found = result.parser.placeholders;
  if (found.length === 0) return { ok: false, message: NO_PLACEHOLDER, position: 0 };
  if (found.length > 1) {
    const second = found[1].itemStart;
    return { ok: false, message: `The search filter holds ${found.length} (attr=?) assertions; keep exactly one (the second is at position ${second})`, position: second };
  }
  const [placeholder] = found;
  if (placeholder.underNot) {
    const message = `The (${placeholder.attribute}=?) assertion at position ${placeholder.itemStart} sits inside (!...): the username must be matched, not excluded; move it out of the negation`;
    return { ok: false, message, position: placeholder.itemStart };
  }
  return { ok: true, usernameAttribute: placeholder.attribute, filter: result.filter, placeholderPosition: placeholder.questionMark };
}

/**
 * Escapes a value for a filter per RFC 4515: `*` `(` `)` `\` NUL become `\2a \28 \29 \5c \00`;
 * other control characters are escaped too; non-ASCII stays as UTF-8 characters.
 * U+DC80..U+DCFF (how the parser keeps bytes that are not UTF-8) become the byte `\80`..`\ff`.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '*' || ch === '(' || ch === ')' || ch === '\\' || cp < 0x20 || cp === 0x7f) out += `\\${hex2(cp)}`;
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += `\\${hex2(cp - 0xdc00)}`;
    else out += ch;
  }
  return out;
}

function replacePlaceholder(text: string, replacement: string): string {
  const analysis = analyzeSearchFilter(text);
  if (!analysis.ok) throw new Error(analysis.message);
  const at = analysis.placeholderPosition;
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

/**
 * The search filter with its `?` replaced by the escaped username; the rest of the text is
 * kept byte for byte. Throws (with the analysis message) when the filter breaks the rule.
 */
export function fillUsername(text: string, username: string): string {
  return replacePlaceholder(text, escapeFilterValue(username));
}

/** The search filter with its `(attr=?)` turned into the presence test `(attr=*)`. Throws like {@link fillUsername}. */
export function matchAllFilter(text: string): string {
  return replacePlaceholder(text, '*');
}

const OPERATORS = { equality: '=', approx: '~=', greaterOrEqual: '>=', lessOrEqual: '<=' } as const;

/** Serialises a filter node to RFC 4515 text (values escaped with {@link escapeFilterValue}). */
export function formatFilter(node: FilterNode): string {
  const esc = escapeFilterValue;
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind === 'and' ? '&' : '|'}${node.filters.map(formatFilter).join('')})`;
    case 'not':
      return `(!${formatFilter(node.filter)})`;
    case 'present':
      return `(${node.attribute}=*)`;
    case 'substrings':
      return `(${node.attribute}=${esc(node.initial ?? '')}*${node.any.map((part) => `${esc(part)}*`).join('')}${esc(node.final ?? '')})`;
    case 'extensible':
      return `(${node.attribute ?? ''}${node.dnAttributes ? ':dn' : ''}${node.matchingRule ? `:${node.matchingRule}` : ''}:=${esc(node.value)})`;
    default:
      return `(${node.attribute}${OPERATORS[node.kind]}${esc(node.value)})`;
  }
}
