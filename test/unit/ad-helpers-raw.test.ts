import { describe, expect, it } from 'vitest';
import { formatRawEntry, roundedCost } from '../../src-main/cli/format-preview';
import { adBinaryText, guidText, sidText } from '../../src-shared/ldap/ad-binary';
import { guidText as directoryIdGuid } from '../../src-main/sync/directory-id';

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
const SID = '010500000000000515000000a1b2c3d4e5f60718293a4b5c51040000';

describe('SIDs and GUIDs as text for the raw view', () => {
  it('renders SID and GUID attributes, whatever the case of their names', () => {
    expect(adBinaryText('objectSid', b64(SID))).toBe('S-1-5-21-3569595041-403175141-1548433961-1105');
    expect(adBinaryText('sIDHistory', b64('01020000000000052000000020020000'))).toBe('S-1-5-32-544');
    expect(adBinaryText('OBJECTGUID', b64('000102030405060708090a0b0c0d0e0f'))).toBe('03020100-0504-0706-0809-0a0b0c0d0e0f');
  });

  it('leaves other attributes, and values of the wrong size, as bytes', () => {
    expect(adBinaryText('jpegPhoto', b64(SID))).toBeNull();
    expect(adBinaryText('objectGUID', b64(SID))).toBeNull();
    expect(adBinaryText('objectSid', b64('0105'))).toBeNull();
    expect(sidText([1, 1, 0, 0, 0, 0, 0, 5])).toBeNull();
  });

  it('shows a GUID as the directory ID does', () => {
    const bytes = [...Buffer.from('6e5b2a1c9d8e7f60a1b2c3d4e5f60718', 'hex')];
    expect(guidText(bytes)).toBe(directoryIdGuid(Buffer.from(bytes).toString('base64')));
  });

  it('prints a raw entry with SIDs and GUIDs first as text, then size and base64', () => {
    const text = formatRawEntry({
      dn: 'CN=Joan,DC=samdom,DC=test',
      attributes: [
        { name: 'cn', values: [{ kind: 'text', text: 'Joan' }] },
        { name: 'objectSid', values: [{ kind: 'binary', size: 28, base64: b64(SID) }] },
        { name: 'jpegPhoto', values: [{ kind: 'binary', size: 1, base64: 'AA==' }] },
      ],
    });
    expect(text).toBe(
      'dn: CN=Joan,DC=samdom,DC=test\n' +
        'cn: Joan\n' +
        `objectSid: S-1-5-21-3569595041-403175141-1548433961-1105 (28 bytes, base64 ${b64(SID)})\n` +
        'jpegPhoto: (1 byte, base64 AA==)\n',
    );
  });
});

describe('script costs in the preview text', () => {
  it('are rounded to three significant digits', () => {
    expect(roundedCost(58.023499999990236)).toBe('58.0');
    expect(roundedCost(5.8123)).toBe('5.81');
    expect(roundedCost(0.058123)).toBe('0.0581');
    expect(roundedCost(1234.56)).toBe('1235');
    expect(roundedCost(0)).toBe('0');
  });
});
