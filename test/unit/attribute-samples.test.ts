import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../src-main/directory/entry';
import { attributeSamples, SAMPLE_LIMITS } from '../../src-main/preview/attribute-samples';

// The attribute pickers show a few values of each attribute from the preview's entries.

const e = (attributes: Record<string, string[]>, binary?: string[]): DirectoryEntry => ({ dn: 'uid=x,dc=x', attributes, binary });

describe('attribute samples for the mapping pickers', () => {
  it('gives the first distinct values of each attribute across entries, at most a few', () => {
    const s = attributeSamples([e({ mail: ['ann@x'], sn: ['A'] }), e({ mail: ['ann@x', 'bob@x'] }), e({ mail: ['cy@x', 'dee@x'] })]);
    expect(s.mail).toEqual(['ann@x', 'bob@x', 'cy@x']);
    expect(s.mail).toHaveLength(SAMPLE_LIMITS.values);
    expect(s.sn).toEqual(['A']);
  });

  it('leaves out binary values and password-like attributes', () => {
    const s = attributeSamples([e({ jpegPhoto: ['/9j/4AAQ'], userPassword: ['{SSHA}abc'], unicodePwd: ['x'], objectGUID: ['ABEiM0RVZneImaq7zN3u/w=='], cn: ['Ann'] }, ['jpegPhoto'])]);
    expect(Object.keys(s)).toEqual(['cn']);
  });

  it('cuts long values and shows control characters as spaces', () => {
    const s = attributeSamples([e({ description: [`line one\nline two ${'x'.repeat(100)}`] })]);
    expect(s.description[0].startsWith('line one line two')).toBe(true);
    expect(s.description[0]).toHaveLength(SAMPLE_LIMITS.chars + 1);
    expect(s.description[0].endsWith('…')).toBe(true);
  });

  it('treats attribute names that differ in case as one attribute, spelled as first seen', () => {
    const s = attributeSamples([e({ givenName: ['Ann'] }), e({ givenname: ['Bob'] })]);
    expect(s).toEqual({ givenName: ['Ann', 'Bob'] });
  });
});
