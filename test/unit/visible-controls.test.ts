import { describe, expect, it } from 'vitest';
import { hasControlCharacters, visibleControls } from '../../src-shared/text/visible-controls';

describe('control characters made visible', () => {
  it('shows escapes, C1 controls and bidi overrides as visible text, keeping line ends and tabs', () => {
    expect(visibleControls('a\u001b[2Jb\u009bc\u202ed\te\nf\r\ng')).toBe('a\\x1b[2Jb\\x9bc\\u{202e}d\te\nf\r\ng');
  });

  it('shows a lone CR (which returns the cursor over a line) but keeps CRLF line ends', () => {
    expect(visibleControls('shown\rhidden\r\n')).toBe('shown\\x0dhidden\r\n');
  });

  it('keeps nothing on one line', () => {
    expect(visibleControls('a\nb\tc\r\nd', { oneLine: true })).toBe('a\\x0ab\\x09c\\x0d\\x0ad');
    expect(hasControlCharacters('plain Zoë Ångström')).toBe(false);
    expect(hasControlCharacters('tab\there')).toBe(true);
  });
});
