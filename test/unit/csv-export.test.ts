import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { csvField, exportCsv } from '../../src-main/sync/export';
import type { PlanChange } from '../../src-shared/domain/sync';

/** Values an attacker can put in a directory (a username, a display name) that reach the export. */
const HOSTILE = [
  '=cmd|\' /C calc\'!A0',
  "x;=cmd|' /C calc'!A0",
  'x,=1+1',
  'a\t=HYPERLINK("http://127.0.0.1/x")',
  'safe|@SUM(1)',
  'x; +1',
  '＝cmd|\' /C calc\'!A0',
  '-2+3',
  '@SUM(A1)',
  '\r=1',
  'plain "quoted" text',
];

const FORMULA = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

function change(username: string): PlanChange {
  return { seq: 1, username, action: 'create', from: null, to: 'Legal', reason: username, dn: `uid=${username}` } as unknown as PlanChange;
}

/** Python's csv module reads the export as a spreadsheet would, with the given separator. */
function pythonCells(text: string, delimiter: string): string[] {
  const script = 'import csv,io,sys,json; f=io.TextIOWrapper(sys.stdin.buffer, newline=""); print(json.dumps([c for r in csv.reader(f, delimiter=sys.argv[1]) for c in r]))';
  return JSON.parse(execFileSync('python3', ['-c', script, delimiter], { input: text, encoding: 'utf8' })) as string[];
}

describe('CSV export of directory data', () => {
  it.each([',', ';', '\t', '|'])('leaves no cell that starts a formula when a spreadsheet splits on %j', (sep) => {
    const text = exportCsv(HOSTILE.map(change));
    const cells = pythonCells(text, sep);
    expect(cells.length).toBeGreaterThan(HOSTILE.length);
    for (const cell of cells) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(FORMULA);
  });

  it('leaves no formula even for a reader that ignores quotes and splits on any separator', () => {
    const text = exportCsv(HOSTILE.map(change));
    const naive = text.split(/[,;\t|\r\n]/).map((c) => c.replace(/^"+/, '').trimStart());
    for (const cell of naive) expect(cell, `cell ${JSON.stringify(cell)}`).not.toMatch(FORMULA);
  });

  it('reads back every value as written, apart from the apostrophes that neutralise formulas', () => {
    const cells = pythonCells(exportCsv(HOSTILE.map(change)), ',');
    for (const value of HOSTILE) {
      const usernameCell = cells.find((c) => c.replace(/'/g, '') === value.replace(/'/g, ''));
      expect(usernameCell, value).toBeDefined();
    }
  });

  it('keeps harmless values as they are', () => {
    expect(csvField('alice')).toBe('alice');
    expect(csvField('Smith, John')).toBe('"Smith, John"');
    expect(csvField(42)).toBe('42');
    expect(csvField(null)).toBe('');
  });
});
