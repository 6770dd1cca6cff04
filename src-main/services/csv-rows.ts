/**
 * Reading CSV text (RFC 4180): fields separated by commas, quoted with double quotes (a quote
 * inside doubled), records ending in CRLF or LF, line breaks allowed inside quotes. A leading
 * UTF-8 byte order mark (spreadsheets write one) is skipped.
 */

/** One record: its fields and the line it starts on (1-based, as a text editor or spreadsheet counts). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A CSV text that cannot be read (an unclosed quote, a quote in the middle of a field). */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Every record of `text`; blank lines are left out. Throws CsvSyntaxError with the line. */
export function readCsv(text: string): CsvRecord[] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  while (i < s.length) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (s[i] === '"') {
        const opened = line;
        i++;
        for (;;) {
          if (i >= s.length) throw new CsvSyntaxError(opened, `The quote opened on line ${opened} is never closed.`);
          const c = s[i];
          if (c === '"') {
            if (s[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
          throw new CsvSyntaxError(line, `Line ${line}: text after a closing quote; a quote inside a quoted field is written twice ("").`);
        }
      } else {
        while (i < s.length && s[i] !== ',' && s[i] !== '\n' && s[i] !== '\r') {
          if (s[i] === '"') throw new CsvSyntaxError(line, `Line ${line}: a quote inside an unquoted field; quote the whole field and write the quote twice ("").`);
          field += s[i++];
        }
      }
      fields.push(field);
      if (s[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (s[i] === '\r') i++;
    if (s[i] === '\n') i++;
    line++;
    if (!(fields.length === 1 && fields[0].trim() === '')) out.push({ line: start, fields });
  }
  return out;
}
