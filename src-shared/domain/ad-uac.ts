/**
 * The names of Active Directory's userAccountControl bits, lowest bit first, as the scripts' `ad.UAC`
 * has them (src-main/scripts/sandbox-js/helpers.js; a test checks that the two lists agree). For the
 * script editor's completion of `ad.UAC.` and `ad.hasUacFlag(entry, '...')`.
 */
export const UAC_FLAG_NAMES = [
  'SCRIPT',
  'ACCOUNTDISABLE',
  'HOMEDIR_REQUIRED',
  'LOCKOUT',
  'PASSWD_NOTREQD',
  'PASSWD_CANT_CHANGE',
  'ENCRYPTED_TEXT_PWD_ALLOWED',
  'TEMP_DUPLICATE_ACCOUNT',
  'NORMAL_ACCOUNT',
  'INTERDOMAIN_TRUST_ACCOUNT',
  'WORKSTATION_TRUST_ACCOUNT',
  'SERVER_TRUST_ACCOUNT',
  'DONT_EXPIRE_PASSWORD',
  'MNS_LOGON_ACCOUNT',
  'SMARTCARD_REQUIRED',
  'TRUSTED_FOR_DELEGATION',
  'NOT_DELEGATED',
  'USE_DES_KEY_ONLY',
  'DONT_REQ_PREAUTH',
  'PASSWORD_EXPIRED',
  'TRUSTED_TO_AUTH_FOR_DELEGATION',
  'PARTIAL_SECRETS_ACCOUNT',
] as const;
