// @ts-check
/**
 * The helpers scripts find as globals in the sandbox: `ad` (Active Directory's encodings:
 * userAccountControl flags, FILETIME, objectSid, objectGUID) and `groups` (nested group
 * membership). Like driver.js this file is type-checked but never runs in Node: its function's
 * source text is evaluated inside QuickJS and handed to the driver factory, which installs the
 * two objects and freezes them with every other intrinsic. So it stays self-contained: no
 * imports, nothing outside its own body but the ECMAScript globals.
 */

/**
 * @typedef {{
 *   fieldOf: (self: any, name: unknown, method: string) => any,
 *   describe: (v: unknown) => string,
 *   lower: (s: unknown) => string,
 *   BATCH: symbol, VALUE: string, EMPTY: string,
 * }} HelperInternals
 */

/**
 * The helpers factory: `(internals) => { ad, groups, reset }`. `internals` are the driver's
 * field reader and constants; `reset()` drops per-batch caches.
 * @param {HelperInternals} internals
 */
export function sandboxHelpers(internals) {
  'use strict';
  const { fieldOf, describe, lower, BATCH, VALUE, EMPTY } = internals;
  const create = Object.create, freeze = Object.freeze, stringify = JSON.stringify;
  const TypeErrorCtor = TypeError, RangeErrorCtor = RangeError, ErrorCtor = Error, DateCtor = Date, BigIntFn = BigInt;

  /** userAccountControl bits, named as Microsoft documents them (MS-ADTS 2.2.16, KB 305144). */
  const UAC = freeze(create(null, {
    SCRIPT: { value: 0x1, enumerable: true }, ACCOUNTDISABLE: { value: 0x2, enumerable: true },
    HOMEDIR_REQUIRED: { value: 0x8, enumerable: true }, LOCKOUT: { value: 0x10, enumerable: true },
    PASSWD_NOTREQD: { value: 0x20, enumerable: true }, PASSWD_CANT_CHANGE: { value: 0x40, enumerable: true },
    ENCRYPTED_TEXT_PWD_ALLOWED: { value: 0x80, enumerable: true }, TEMP_DUPLICATE_ACCOUNT: { value: 0x100, enumerable: true },
    NORMAL_ACCOUNT: { value: 0x200, enumerable: true }, INTERDOMAIN_TRUST_ACCOUNT: { value: 0x800, enumerable: true },
    WORKSTATION_TRUST_ACCOUNT: { value: 0x1000, enumerable: true }, SERVER_TRUST_ACCOUNT: { value: 0x2000, enumerable: true },
    DONT_EXPIRE_PASSWORD: { value: 0x10000, enumerable: true }, MNS_LOGON_ACCOUNT: { value: 0x20000, enumerable: true },
    SMARTCARD_REQUIRED: { value: 0x40000, enumerable: true }, TRUSTED_FOR_DELEGATION: { value: 0x80000, enumerable: true },
    NOT_DELEGATED: { value: 0x100000, enumerable: true }, USE_DES_KEY_ONLY: { value: 0x200000, enumerable: true },
    DONT_REQ_PREAUTH: { value: 0x400000, enumerable: true }, PASSWORD_EXPIRED: { value: 0x800000, enumerable: true },
    TRUSTED_TO_AUTH_FOR_DELEGATION: { value: 0x1000000, enumerable: true }, PARTIAL_SECRETS_ACCOUNT: { value: 0x4000000, enumerable: true },
  }));
  const UAC_NAMES = Object.keys(UAC);

  /** The computed field holding an entry's groups (see src-main/groups/); its first value marks it as loaded. */
  const GROUPS_FIELD = '$groups', GROUPS_LOADED = '\u0006';

  /** @param {unknown} v */
  const isEntry = (v) => typeof v === 'object' && v !== null && /** @type {any} */ (v)[BATCH] !== undefined;

  /** Values of a raw field (see driver-source.ts's wire format). @param {any} f @returns {string[]} */
  function valuesOf(f) {
    if (typeof f === 'string') return f === '' ? [] : f === EMPTY ? [''] : f.split(VALUE);
    return f === undefined || f === null ? [] : f.slice();
  }

  /**
   * userAccountControl as a number, from the entry (its attribute) or from a value.
   * @param {unknown} v @param {string} fn
   */
  function uacOf(v, fn) {
    let x = v;
    if (isEntry(v)) x = valuesOf(fieldOf(v, 'userAccountControl', 'ad.' + fn + '(entry)'))[0];
    if (x === undefined || x === null || x === '') return 0;
    const n = typeof x === 'number' ? x : Number(String(x).trim());
    if (!(n === Math.floor(n)) || n < -2147483648 || n > 4294967295) throw new TypeErrorCtor('ad.' + fn + ' expects the entry or a userAccountControl value (an integer), got ' + describe(v));
    return n >>> 0;
  }

  /** @param {unknown} name */
  function flagBit(name) {
    const bit = typeof name === 'string' ? UAC[name.toUpperCase()] : undefined;
    if (bit === undefined) throw new RangeErrorCtor('ad.hasUacFlag: unknown flag ' + describe(name) + '; the flags are ' + UAC_NAMES.join(', '));
    return bit;
  }

  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  /** Bytes of a base64 value (how binary attributes reach scripts). @param {unknown} v @param {string} fn */
  function bytesOf(v, fn) {
    if (typeof v !== 'string') throw new TypeErrorCtor('ad.' + fn + ' expects the attribute\'s value (base64 text, as binary attributes arrive), got ' + describe(v));
    /** @type {number[]} */
    const out = [];
    let acc = 0, bits = 0;
    const s = v.trim();
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '=') break;
      const d = B64.indexOf(c);
      if (d < 0) throw new TypeErrorCtor('ad.' + fn + ' expects base64 text, got ' + describe(v));
      acc = ((acc << 6) | d) & 0xffff;
      bits += 6;
      if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
    }
    return out;
  }
  /** @param {number} b */
  const hex2 = (b) => (b < 16 ? '0' : '') + b.toString(16);

  const FILETIME_NEVER = BigIntFn('9223372036854775807');
  const FILETIME_ZERO = BigIntFn(0), TICKS_PER_MS = BigIntFn(10000), EPOCH_MS = BigIntFn('11644473600000');

  const ad = freeze({
    UAC,
    /** Names of the userAccountControl bits set, lowest bit first. @param {unknown} entryOrValue */
    uacFlags(entryOrValue) {
      const n = uacOf(entryOrValue, 'uacFlags');
      /** @type {string[]} */
      const out = [];
      for (let k = 0; k < UAC_NAMES.length; k++) if ((n & UAC[UAC_NAMES[k]]) !== 0) out.push(UAC_NAMES[k]);
      return out;
    },
    /** True when the named userAccountControl bit is set. @param {unknown} entryOrValue @param {unknown} flag */
    hasUacFlag(entryOrValue, flag) {
      const bit = flagBit(flag);
      return (uacOf(entryOrValue, 'hasUacFlag') & bit) !== 0;
    },
    /** True when ACCOUNTDISABLE (2) is set. @param {unknown} entryOrValue */
    isDisabled(entryOrValue) {
      return (uacOf(entryOrValue, 'isDisabled') & 2) !== 0;
    },
    /**
     * A FILETIME (100 ns since 1601, as in accountExpires, pwdLastSet, lastLogonTimestamp) as a
     * Date; null for absent, 0 and 9223372036854775807 (AD's "never"). @param {unknown} value
     */
    fileTime(value) {
      if (value === undefined || value === null || value === '') return null;
      const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
      if (!/^-?[0-9]+$/.test(text)) throw new TypeErrorCtor('ad.fileTime expects a FILETIME value (an integer such as 133497216000000000), got ' + describe(value));
      const n = BigIntFn(text);
      if (n <= FILETIME_ZERO || n >= FILETIME_NEVER) return null;
      return new DateCtor(Number(n / TICKS_PER_MS - EPOCH_MS));
    },
    /** objectSid (base64) as text: S-1-5-21-…. @param {unknown} value */
    sid(value) {
      const b = bytesOf(value, 'sid');
      const count = b.length >= 2 ? b[1] : -1;
      if (count < 0 || b.length !== 8 + 4 * count) throw new TypeErrorCtor('ad.sid expects an objectSid value (' + b.length + ' bytes is not a SID)');
      let authority = 0;
      for (let k = 2; k < 8; k++) authority = authority * 256 + b[k];
      // Samba's rendering (dom_sid_string): an authority of 2^32 - 1 or more in hex, as MS-DTYP allows.
      let out = 'S-' + b[0] + '-' + (authority < 4294967295 ? String(authority) : '0x' + authority.toString(16));
      for (let k = 0; k < count; k++) {
        const at = 8 + 4 * k;
        out += '-' + (b[at] + b[at + 1] * 256 + b[at + 2] * 65536 + b[at + 3] * 16777216);
      }
      return out;
    },
    /** objectGUID (base64) as text, as AD tools show it: lower-case, mixed-endian, no braces. @param {unknown} value */
    guid(value) {
      const b = bytesOf(value, 'guid');
      if (b.length !== 16) throw new TypeErrorCtor('ad.guid expects an objectGUID value (' + b.length + ' bytes is not a GUID)');
      /** @param {number[]} idx */
      const h = (idx) => idx.map((i) => hex2(b[i])).join('');
      return h([3, 2, 1, 0]) + '-' + h([5, 4]) + '-' + h([7, 6]) + '-' + h([8, 9]) + '-' + h([10, 11, 12, 13, 14, 15]);
    },
  });

  // ---- groups ----

  /**
   * An RFC 4514 DN as RDNs of [type, decoded value, ber] (null when it does not parse), with the
   * leniency of src-shared/ldap/dn.ts: spaces around separators and at both ends are dropped.
   * @param {string} text @returns {Array<Array<[string, string, boolean]>> | null}
   */
  function parseDn(text) {
    /** @type {Array<Array<[string, string, boolean]>>} */
    const rdns = [];
    let i = 0;
    const n = text.length;
    const spaces = () => { while (text[i] === ' ') i++; };
    spaces();
    if (i === n) return rdns;
    for (;;) {
      /** @type {Array<[string, string, boolean]>} */
      const rdn = [];
      for (;;) {
        const start = i;
        while (i < n && /[A-Za-z0-9.-]/.test(text[i])) i++;
        const type = text.slice(start, i);
        if (!/^(?:[A-Za-z][A-Za-z0-9-]*|(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))+)$/.test(type)) return null;
        spaces();
        if (text[i] !== '=') return null;
        i++;
        spaces();
        if (text[i] === '#') {
          const h = i + 1;
          i = h;
          while (i < n && /[0-9A-Fa-f]/.test(text[i])) i++;
          if (i === h || (i - h) % 2 === 1) return null;
          rdn.push([type, text.slice(h, i), true]);
          spaces();
          if (i < n && text[i] !== ',' && text[i] !== '+') return null;
        } else {
          /** @type {number[]} */
          const bytes = [];
          while (i < n) {
            const c = text[i];
            if (c === ',' || c === '+') break;
            if (c === '\\') {
              const pair = text.slice(i + 1, i + 3);
              if (/^[0-9A-Fa-f]{2}$/.test(pair)) { bytes.push(parseInt(pair, 16)); i += 3; continue; }
              const next = text[i + 1];
              if (next === undefined || '"+,;<>\\ #='.indexOf(next) < 0) return null;
              bytes.push(next.charCodeAt(0));
              i += 2;
              continue;
            }
            if (c === ' ') {
              let j = i;
              while (text[j] === ' ') j++;
              if (j === n || text[j] === ',' || text[j] === '+') { i = j; break; }
              for (; i < j; i++) bytes.push(32);
              continue;
            }
            if (c === '\u0000' || c === ';' || c === '"' || c === '<' || c === '>') return null;
            const code = text.codePointAt(i) ?? 0;
            utf8(code, bytes);
            i += code > 0xffff ? 2 : 1;
          }
          const value = fromUtf8(bytes);
          if (value === null) return null;
          rdn.push([type, value, false]);
        }
        if (text[i] !== '+') break;
        i++;
        spaces();
      }
      rdns.push(rdn);
      if (i === n) return rdns;
      i++; // ","
      spaces();
      if (i === n) return null;
    }
  }

  /** @param {number} c @param {number[]} out */
  function utf8(c, out) {
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }

  /** Strict UTF-8 decoding; null for invalid bytes. @param {number[]} b */
  function fromUtf8(b) {
    let out = '';
    for (let k = 0; k < b.length;) {
      const x = b[k];
      let need = 0, c = 0, min = 0;
      if (x < 0x80) { out += String.fromCharCode(x); k++; continue; }
      if (x >= 0xc2 && x < 0xe0) { need = 1; c = x & 31; min = 0x80; }
      else if (x >= 0xe0 && x < 0xf0) { need = 2; c = x & 15; min = 0x800; }
      else if (x >= 0xf0 && x < 0xf5) { need = 3; c = x & 7; min = 0x10000; }
      else return null;
      for (let q = 1; q <= need; q++) {
        const y = b[k + q];
        if (y === undefined || (y & 0xc0) !== 0x80) return null;
        c = (c << 6) | (y & 63);
      }
      if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return null;
      out += String.fromCodePoint(c);
      k += need + 1;
    }
    return out;
  }

  /** The comparison key of a parsed DN: types and values lower-cased, the AVAs of an RDN sorted. @param {Array<Array<[string, string, boolean]>>} rdns */
  function keyOf(rdns) {
    return stringify(rdns.map((rdn) => rdn.map((a) => stringify([a[0].toLowerCase(), a[1].toLowerCase(), a[2] ? 1 : 0])).sort()));
  }

  /** Per batch: group DN -> [key, name] (group DNs repeat across entries). */
  /** @type {Record<string, [string, string]>} */
  let known = create(null);
  let knownCount = 0;
  /** @param {string} dn @returns {[string, string]} */
  function groupInfo(dn) {
    let info = known[dn];
    if (info === undefined) {
      const rdns = parseDn(dn);
      info = rdns === null || rdns.length === 0 ? [dn.toLowerCase(), dn] : [keyOf(rdns), rdns[0][0][1]];
      if (knownCount++ < 10000) known[dn] = info;
    }
    return info;
  }

  /** The DNs of every group the entry is in, directly or through nested groups. @param {unknown} entry @param {string} fn */
  function groupDns(entry, fn) {
    if (!isEntry(entry)) throw new TypeErrorCtor('groups.' + fn + ' expects the entry the script received, got ' + describe(entry));
    const values = valuesOf(fieldOf(entry, GROUPS_FIELD, 'groups.' + fn + '(entry)'));
    if (values.length === 0 || values[0] !== GROUPS_LOADED) {
      throw new ErrorCtor('groups.' + fn + ': group memberships are not loaded here (the preview, simulations, syncs and test cases have them; checks have none)');
    }
    values.shift();
    return values;
  }

  const groups = freeze({
    /**
     * True when the entry is in the group, directly or through nested groups. `group` is a DN
     * (compared ignoring case and spacing) or a name (the value of the group's first RDN, its cn).
     * @param {unknown} entry @param {unknown} group
     */
    isMember(entry, group) {
      const dns = groupDns(entry, 'isMember');
      if (typeof group !== 'string' || group.trim() === '') throw new TypeErrorCtor('groups.isMember expects a group DN or name as its second argument, got ' + describe(group));
      if (group.indexOf('=') >= 0) {
        const rdns = parseDn(group);
        if (rdns === null) throw new TypeErrorCtor('groups.isMember: ' + stringify(group) + ' is not a valid DN; give a DN such as CN=Staff,OU=Groups,DC=example,DC=com or a group name');
        const key = keyOf(rdns);
        for (let k = 0; k < dns.length; k++) if (groupInfo(dns[k])[0] === key) return true;
        return false;
      }
      const want = lower(group.trim());
      for (let k = 0; k < dns.length; k++) if (lower(groupInfo(dns[k])[1]) === want) return true;
      return false;
    },
    /** The DNs of every group the entry is in, directly or nested (as the directory spells them). @param {unknown} entry */
    of(entry) {
      return groupDns(entry, 'of');
    },
    /** The names (first RDN values) of every group the entry is in, directly or nested. @param {unknown} entry */
    names(entry) {
      const dns = groupDns(entry, 'names');
      return dns.map((dn) => groupInfo(dn)[1]);
    },
  });

  return freeze({
    ad,
    groups,
    reset() {
      known = create(null);
      knownCount = 0;
    },
  });
}
