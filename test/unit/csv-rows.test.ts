/**
 * The CSV reader against a reference: Python's csv module (RFC 4180 dialect "excel"), run on the
 * same texts. Blank lines are left out by both.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsv } from '../../src-main/services/csv-rows';

const PY = `import csv, io, json, sys
text = sys.stdin.read()
print(json.dumps([r for r in csv.reader(io.StringIO(text, newline=''), strict=True) if r and r != ['']]))`;

function reference(text: string): string[][] {
  return JSON.parse(execFileSync('python3', ['-c', PY], { input: text, encoding: 'utf8' })) as string[][];
}

const SAMPLES = [
  'username,org\r\njdoe,Guests\r\n',
  'a,b\nc,d',
  'a,"b,c",d\n"e ""quoted""",f,\n',
  'multi,"line one\nline two",end\nnext,row,here\n',
  'a,b\n\n\nc,d\n',
  ',,\n"",x,""\n',
  'ünïcödé,名前,😀\r\n',
  'trailing,comma,\r\n',
];

describe('readCsv', () => {
  it.each(SAMPLES)('reads %j as Python\'s csv module does', (text) => {
    expect(readCsv(text).map((r) => r.fields)).toEqual(reference(text));
  });

  it('gives the line each record starts on, past line breaks inside quotes', () => {
    expect(readCsv('h1,h2\n"a\nb",c\n\nd,e\n').map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('skips the byte order mark spreadsheets write', () => {
    expect(readCsv('\ufeffusername,org\n')[0].fields).toEqual(['username', 'org']);
  });

  it('refuses an unclosed quote and a quote inside an unquoted field, naming the line', () => {
    expect(() => readCsv('a,b\n"open,c\n')).toThrow(CsvSyntaxError);
    expect(() => readCsv('a,b\n"open,c\n')).toThrow(/line 2 is never closed/);
    expect(() => readCsv('a,b\nx"y,z\n')).toThrow(/Line 2: a quote inside an unquoted field/);
  });
});
