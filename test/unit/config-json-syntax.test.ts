import { describe, expect, it } from 'vitest';
import { findJsonSyntaxProblem } from '../../src-main/config/json-syntax';

function accepted(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('finding JSON syntax errors', () => {
  it('agrees with JSON.parse on which texts are valid', () => {
    const samples = [
      '{}', '[]', '0', '-1.5e+3', '"a\\u00e9\\n"', 'true', ' null ', '{"a":[1,{"b":false}],"c":"x"}',
      '', '{', '{"a":1,}', '[1,]', '{a:1}', "{'a':1}", '"abc', '"a\nb"', '01', '1.', '"\\x"', '{"a" 1}', '[1 2]', 'nul', '{} x',
    ];
    for (const text of samples) expect(findJsonSyntaxProblem(text) === null, text).toBe(accepted(text));
  });

  it('names the line, the column and the reason', () => {
    expect(findJsonSyntaxProblem('{\n  "servers": [\n    { "name": "Corp", }\n  ]\n}')).toEqual({ line: 3, column: 23, message: 'trailing comma before "}"' });
    expect(findJsonSyntaxProblem('{\n  "a": 1\n  "b": 2\n}')).toEqual({ line: 3, column: 3, message: 'expected "," or "}" after a property value' });
    expect(findJsonSyntaxProblem('{ "a": "x }')).toEqual({ line: 1, column: 12, message: 'unterminated string' });
    expect(findJsonSyntaxProblem('{ "a" }')).toEqual({ line: 1, column: 7, message: 'expected ":" after a property name' });
    expect(findJsonSyntaxProblem('{ "servers": [')).toEqual({ line: 1, column: 15, message: 'unexpected end of file' });
  });
});
