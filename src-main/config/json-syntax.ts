/** Where and why a text is not valid JSON. Lines and columns are 1-based. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  message: string;
}

class Stop {
  constructor(
    readonly at: number,
    readonly message: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Finds the first syntax error of a JSON text, or null when it is valid. `JSON.parse` messages
 * differ between Node versions and some quote the whole text; this gives a line, a column and a short reason.
 */
export function findJsonSyntaxProblem(text: string): JsonSyntaxProblem | null {
  let i = 0;
  const fail = (message: string): never => {
    throw new Stop(i, message);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') return void i++;
      if (ch === '\\') {
        const esc = text[i + 1] ?? '';
        if (esc === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (esc !== 'u' && '"\\/bfnrt'.includes(esc) && esc !== '') i += 2;
        else fail('invalid escape in a string');
      } else if (ch < ' ') fail('line break or control character inside a string (close the string or escape it)');
      else i++;
    }
    fail('unterminated string');
  };
  const container = (close: string, member: () => void, what: string) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === close) return void i++;
      fail(i >= text.length ? 'unexpected end of file' : `expected "," or "${close}" after ${what}`);
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      return container('}', () => {
        ws();
        if (text[i] !== '"') fail(text[i] === '}' ? 'trailing comma before "}"' : 'expected a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail('expected ":" after a property name');
        i++;
        value();
      }, 'a property value');
    }
    if (c === '[') {
      return container(']', () => {
        ws();
        if (text[i] === ']') fail('trailing comma before "]"');
        value();
      }, 'an array element');
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, i)) return void (i += literal.length);
    fail(i >= text.length ? 'unexpected end of file' : `unexpected ${JSON.stringify(c)}`);
  };
  try {
    value();
    ws();
    if (i < text.length) fail('unexpected text after the end of the JSON value');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.at);
    return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n'), message: err.message };
  }
}
