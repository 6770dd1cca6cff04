/**
 * The schema the offline filter evaluator matches with: attribute types (their EQUALITY, ORDERING
 * and SUBSTR rules, supertypes, and the extensible rules their syntax admits) and object classes
 * with their superclasses, from Debian's slapd 2.5 core, cosine, inetorgperson and nis schemas,
 * plus the Active Directory attributes and classes a snapshot of AD holds.
 */

/**
 * Normalisation kinds, one per EQUALITY rule: ci caseIgnore, ce caseExact (Directory String),
 * cia5/cea5 the IA5 rules, int, num numericString, tel telephoneNumber, dn, uniq uniqueMember,
 * oid, bool, time generalizedTime, octet, list caseIgnoreList, uuid, csn, bits bitString,
 * cat AD objectCategory, x a rule this module does not implement (Undefined).
 */
export type Kind = 'ci' | 'ce' | 'cia5' | 'cea5' | 'int' | 'num' | 'tel' | 'dn' | 'uniq' | 'oid' | 'bool' | 'time' | 'octet' | 'list' | 'uuid' | 'csn' | 'bits' | 'cat' | 'x';

const KINDS = new Set<string>(['ci', 'ce', 'cia5', 'cea5', 'int', 'num', 'tel', 'dn', 'uniq', 'oid', 'bool', 'time', 'octet', 'list', 'uuid', 'csn', 'bits', 'cat', 'x']);

/** Rule kinds that apply to the same syntaxes. */
export function family(kind: Kind | null): string | null {
  if (kind === 'ci' || kind === 'ce') return 'directoryString';
  if (kind === 'cia5' || kind === 'cea5') return 'ia5';
  if (kind === 'cat') return 'dn';
  return kind;
}


/**
 * Attribute types: `OID name [alias...] [^supertype] [=EQUALITY] [<ORDERING] [*SUBSTR] [~kind]`
 * (rule kinds as in {@link Kind}), `|`-separated. `~kind`: the type's syntax also admits the
 * extensible rules of that kind's family (slapd's matchingRuleUse), e.g. mailPreferenceOption, an
 * INTEGER without an EQUALITY rule, admits integerMatch and the bitwise rules. Generated from the
 * cn=Subschema of Debian's slapd 2.5.13 with the core, cosine, inetorgperson and nis schemas (the
 * rig's), without the config (olc*) and root DSE attributes; rules a subtype does not name come
 * from its supertype.
 * `-` marks Active Directory attributes (no OID) whose matching differs from the default strings.
 */
const ATTRIBUTE_TYPES = [
  '2.5.4.0 objectClass =oid|2.5.21.9 structuralObjectClass =oid|2.5.18.1 createTimestamp =time <time',
  '2.5.18.2 modifyTimestamp =time <time|2.5.18.3 creatorsName =dn|2.5.18.4 modifiersName =dn',
  '2.5.18.9 hasSubordinates =bool|2.5.18.10 subschemaSubentry =dn|1.3.6.1.1.20 entryDN =dn',
  '1.3.6.1.1.16.4 entryUUID =uuid <uuid|1.3.6.1.4.1.4203.666.1.7 entryCSN =csn <csn',
  '2.5.4.1 aliasedObjectName aliasedEntryName =dn|2.5.4.49 distinguishedName =dn|2.5.4.41 name =ci *ci',
  '2.5.4.3 cn commonName ^name|0.9.2342.19200300.100.1.1 uid userid =ci *ci|1.3.6.1.1.1.1.0 uidNumber =int <int',
  '1.3.6.1.1.1.1.1 gidNumber =int <int|2.5.4.35 userPassword =octet|1.3.6.1.4.1.250.1.57 labeledURI =ce',
  '2.5.4.13 description =ci *ci|2.5.4.34 seeAlso ^distinguishedName',
  '1.3.6.1.4.1.42.2.27.8.1.29 pwdLastSuccess =time <time|2.5.4.2 knowledgeInformation =ci',
  '2.5.4.4 sn surname ^name|2.5.4.5 serialNumber =ci *ci|2.5.4.6 c countryName ^name ~cia5',
  '2.5.4.7 l localityName ^name|2.5.4.8 st stateOrProvinceName ^name|2.5.4.9 street streetAddress =ci *ci',
  '2.5.4.10 o organizationName ^name|2.5.4.11 ou organizationalUnitName ^name|2.5.4.12 title ^name',
  '2.5.4.14 searchGuide|2.5.4.15 businessCategory =ci *ci|2.5.4.16 postalAddress =list *list',
  '2.5.4.17 postalCode =ci *ci|2.5.4.18 postOfficeBox =ci *ci|2.5.4.19 physicalDeliveryOfficeName =ci *ci',
  '2.5.4.20 telephoneNumber =tel *tel ~ci|2.5.4.21 telexNumber|2.5.4.22 teletexTerminalIdentifier',
  '2.5.4.23 facsimileTelephoneNumber fax|2.5.4.24 x121Address =num *num',
  '2.5.4.25 internationaliSDNNumber =num *num|2.5.4.26 registeredAddress ^postalAddress',
  '2.5.4.27 destinationIndicator =ci *ci|2.5.4.28 preferredDeliveryMethod|2.5.4.29 presentationAddress =x',
  '2.5.4.30 supportedApplicationContext =oid|2.5.4.31 member ^distinguishedName',
  '2.5.4.32 owner ^distinguishedName|2.5.4.33 roleOccupant ^distinguishedName|2.5.4.36 userCertificate =x',
  '2.5.4.37 cACertificate =x|2.5.4.38 authorityRevocationList|2.5.4.39 certificateRevocationList',
  '2.5.4.40 crossCertificatePair|2.5.4.42 givenName gn ^name|2.5.4.43 initials ^name',
  '2.5.4.44 generationQualifier ^name|2.5.4.45 x500UniqueIdentifier =bits|2.5.4.46 dnQualifier =ci <ci *ci',
  '2.5.4.47 enhancedSearchGuide|2.5.4.48 protocolInformation =x|2.5.4.50 uniqueMember =uniq',
  '2.5.4.51 houseIdentifier =ci *ci|2.5.4.52 supportedAlgorithms|2.5.4.53 deltaRevocationList',
  '2.5.4.54 dmdName ^name|2.5.4.65 pseudonym ^name|0.9.2342.19200300.100.1.3 mail rfc822Mailbox =cia5 *cia5',
  '0.9.2342.19200300.100.1.25 dc domainComponent =cia5 *cia5',
  '0.9.2342.19200300.100.1.37 associatedDomain =cia5 *cia5',
  '1.2.840.113549.1.9.1 email emailAddress pkcs9email =cia5 *cia5',
  '0.9.2342.19200300.100.1.2 textEncodedORAddress =ci *ci|0.9.2342.19200300.100.1.4 info =ci *ci',
  '0.9.2342.19200300.100.1.5 drink favouriteDrink =ci *ci|0.9.2342.19200300.100.1.6 roomNumber =ci *ci',
  '0.9.2342.19200300.100.1.7 photo|0.9.2342.19200300.100.1.8 userClass =ci *ci',
  '0.9.2342.19200300.100.1.9 host =ci *ci|0.9.2342.19200300.100.1.10 manager =dn',
  '0.9.2342.19200300.100.1.11 documentIdentifier =ci *ci|0.9.2342.19200300.100.1.12 documentTitle =ci *ci',
  '0.9.2342.19200300.100.1.13 documentVersion =ci *ci|0.9.2342.19200300.100.1.14 documentAuthor =dn',
  '0.9.2342.19200300.100.1.15 documentLocation =ci *ci',
  '0.9.2342.19200300.100.1.20 homePhone homeTelephoneNumber =tel *tel ~ci|0.9.2342.19200300.100.1.21 secretary =dn',
  '0.9.2342.19200300.100.1.22 otherMailbox|0.9.2342.19200300.100.1.26 aRecord =cia5',
  '0.9.2342.19200300.100.1.27 mDRecord =cia5|0.9.2342.19200300.100.1.28 mXRecord =cia5',
  '0.9.2342.19200300.100.1.29 nSRecord =cia5|0.9.2342.19200300.100.1.30 sOARecord =cia5',
  '0.9.2342.19200300.100.1.31 cNAMERecord =cia5|0.9.2342.19200300.100.1.38 associatedName =dn',
  '0.9.2342.19200300.100.1.39 homePostalAddress =list *list|0.9.2342.19200300.100.1.40 personalTitle =ci *ci',
  '0.9.2342.19200300.100.1.41 mobile mobileTelephoneNumber =tel *tel ~ci',
  '0.9.2342.19200300.100.1.42 pager pagerTelephoneNumber =tel *tel ~ci',
  '0.9.2342.19200300.100.1.43 co friendlyCountryName =ci *ci|0.9.2342.19200300.100.1.44 uniqueIdentifier =ci',
  '0.9.2342.19200300.100.1.45 organizationalStatus =ci *ci|0.9.2342.19200300.100.1.46 janetMailbox =cia5 *cia5',
  '0.9.2342.19200300.100.1.47 mailPreferenceOption ~int|0.9.2342.19200300.100.1.48 buildingName =ci *ci',
  '0.9.2342.19200300.100.1.49 dSAQuality|0.9.2342.19200300.100.1.50 singleLevelQuality',
  '0.9.2342.19200300.100.1.51 subtreeMinimumQuality|0.9.2342.19200300.100.1.52 subtreeMaximumQuality',
  '0.9.2342.19200300.100.1.53 personalSignature|0.9.2342.19200300.100.1.54 dITRedirect =dn',
  '0.9.2342.19200300.100.1.55 audio|0.9.2342.19200300.100.1.56 documentPublisher =ci *ci',
  '2.16.840.1.113730.3.1.1 carLicense =ci *ci|2.16.840.1.113730.3.1.2 departmentNumber =ci *ci',
  '2.16.840.1.113730.3.1.241 displayName =ci *ci|2.16.840.1.113730.3.1.3 employeeNumber =ci *ci',
  '2.16.840.1.113730.3.1.4 employeeType =ci *ci|0.9.2342.19200300.100.1.60 jpegPhoto',
  '2.16.840.1.113730.3.1.39 preferredLanguage =ci *ci|2.16.840.1.113730.3.1.40 userSMIMECertificate',
  '2.16.840.1.113730.3.1.216 userPKCS12|1.3.6.1.1.1.1.2 gecos =cia5 *cia5|1.3.6.1.1.1.1.3 homeDirectory =cea5',
  '1.3.6.1.1.1.1.4 loginShell =cea5|1.3.6.1.1.1.1.5 shadowLastChange =int|1.3.6.1.1.1.1.6 shadowMin =int',
  '1.3.6.1.1.1.1.7 shadowMax =int|1.3.6.1.1.1.1.8 shadowWarning =int|1.3.6.1.1.1.1.9 shadowInactive =int',
  '1.3.6.1.1.1.1.10 shadowExpire =int|1.3.6.1.1.1.1.11 shadowFlag =int|1.3.6.1.1.1.1.12 memberUid =cea5 *cea5',
  '1.3.6.1.1.1.1.13 memberNisNetgroup =cea5 *cea5|1.3.6.1.1.1.1.14 nisNetgroupTriple',
  '1.3.6.1.1.1.1.15 ipServicePort =int|1.3.6.1.1.1.1.16 ipServiceProtocol ^name',
  '1.3.6.1.1.1.1.17 ipProtocolNumber =int|1.3.6.1.1.1.1.18 oncRpcNumber =int',
  '1.3.6.1.1.1.1.19 ipHostNumber =cia5|1.3.6.1.1.1.1.20 ipNetworkNumber =cia5',
  '1.3.6.1.1.1.1.21 ipNetmaskNumber =cia5|1.3.6.1.1.1.1.22 macAddress =cia5|1.3.6.1.1.1.1.23 bootParameter',
  '1.3.6.1.1.1.1.24 bootFile =cea5|1.3.6.1.1.1.1.26 nisMapName ^name|1.3.6.1.1.1.1.27 nisMapEntry =cea5 *cea5',
  // Active Directory.
  '- userAccountControl =int <int|- msDS-User-Account-Control-Computed =int <int|- groupType =int <int',
  '- sAMAccountType =int <int|- primaryGroupID =int <int|- badPwdCount =int <int|- logonCount =int <int',
  '- adminCount =int <int|- instanceType =int <int|- uSNChanged =int <int|- uSNCreated =int <int',
  '- accountExpires =int <int|- pwdLastSet =int <int|- lastLogon =int <int|- lastLogonTimestamp =int <int',
  '- lastLogoff =int <int|- badPasswordTime =int <int|- lockoutTime =int <int|- systemFlags =int <int',
  '- msDS-SupportedEncryptionTypes =int <int|- whenCreated =time <time|- whenChanged =time <time',
  '- memberOf =dn|- directReports =dn|- managedBy =dn|- objectCategory =cat',
];

/**
 * Object classes: `OID name [alias...] [^superclass...]` (top is every class's superclass).
 * From the same cn=Subschema, plus Active Directory's (`-`: no OID).
 */
const OBJECT_CLASSES = [
  '2.5.6.0 top|1.3.6.1.4.1.1466.101.120.111 extensibleObject|2.5.6.1 alias|2.16.840.1.113730.3.2.6 referral',
  '2.5.6.2 country|2.5.6.3 locality|2.5.6.4 organization|2.5.6.5 organizationalUnit|2.5.6.6 person',
  '2.5.6.7 organizationalPerson ^person|2.5.6.8 organizationalRole|2.5.6.9 groupOfNames',
  '2.5.6.10 residentialPerson ^person|2.5.6.11 applicationProcess|2.5.6.12 applicationEntity',
  '2.5.6.13 dSA ^applicationEntity|2.5.6.14 device|2.5.6.15 strongAuthenticationUser',
  '2.5.6.16 certificationAuthority|2.5.6.17 groupOfUniqueNames|2.5.6.18 userSecurityInformation',
  '2.5.6.16.2 certificationAuthority-V2 ^certificationAuthority|2.5.6.19 cRLDistributionPoint|2.5.6.20 dmd',
  '2.5.6.21 pkiUser|2.5.6.22 pkiCA|2.5.6.23 deltaCRL|1.3.6.1.4.1.250.3.15 labeledURIObject',
  '0.9.2342.19200300.100.4.19 simpleSecurityObject|1.3.6.1.4.1.1466.344 dcObject|1.3.6.1.1.3.1 uidObject',
  '0.9.2342.19200300.100.4.4 pilotPerson newPilotPerson ^person|0.9.2342.19200300.100.4.5 account',
  '0.9.2342.19200300.100.4.6 document|0.9.2342.19200300.100.4.7 room|0.9.2342.19200300.100.4.9 documentSeries',
  '0.9.2342.19200300.100.4.13 domain|0.9.2342.19200300.100.4.14 RFC822localPart ^domain',
  '0.9.2342.19200300.100.4.15 dNSDomain ^domain|0.9.2342.19200300.100.4.17 domainRelatedObject',
  '0.9.2342.19200300.100.4.18 friendlyCountry ^country',
  '0.9.2342.19200300.100.4.20 pilotOrganization ^organization ^organizationalUnit',
  '0.9.2342.19200300.100.4.21 pilotDSA ^dsa|0.9.2342.19200300.100.4.22 qualityLabelledData',
  '2.16.840.1.113730.3.2.2 inetOrgPerson ^organizationalPerson|1.3.6.1.1.1.2.0 posixAccount',
  '1.3.6.1.1.1.2.1 shadowAccount|1.3.6.1.1.1.2.2 posixGroup|1.3.6.1.1.1.2.3 ipService',
  '1.3.6.1.1.1.2.4 ipProtocol|1.3.6.1.1.1.2.5 oncRpc|1.3.6.1.1.1.2.6 ipHost|1.3.6.1.1.1.2.7 ipNetwork',
  '1.3.6.1.1.1.2.8 nisNetgroup|1.3.6.1.1.1.2.9 nisMap|1.3.6.1.1.1.2.10 nisObject|1.3.6.1.1.1.2.11 ieee802Device',
  '1.3.6.1.1.1.2.12 bootableDevice',
  // Active Directory.
  '- user ^organizationalPerson|- computer ^user|- group|- contact ^organizationalPerson|- container',
  '- domainDNS ^domain|- builtinDomain|- foreignSecurityPrincipal|- groupPolicyContainer ^container',
  '- msDS-ManagedServiceAccount ^computer|- msDS-GroupManagedServiceAccount ^computer',
];

export interface AttributeType {
  /** The primary name, lower-cased (the key other types and caches use). */
  key: string;
  sup: AttributeType | null;
  eq: Kind | null;
  ord: Kind | null;
  sub: Kind | null;
  /** False for names the table does not have (compared as strings). */
  known: boolean;
  /** Active Directory's (not in slapd's schema). */
  ad: boolean;
  /** Rule families (see {@link family}) the type's syntax admits beyond its EQUALITY rule's. */
  also: string[];
}

export interface ObjectClass {
  /** Lower-cased names and OID. */
  ids: string[];
  sups: ObjectClass[];
  ad: boolean;
}

function* tableItems(table: readonly string[]): Generator<string[]> {
  for (const line of table) for (const item of line.split('|')) yield item.split(' ');
}

const attributeTypes = new Map<string, AttributeType>();
{
  const pending: { type: AttributeType; sup: string | null; rules: Partial<Record<'eq' | 'ord' | 'sub', Kind>> }[] = [];
  for (const [oid, ...tokens] of tableItems(ATTRIBUTE_TYPES)) {
    const names = tokens.filter((t) => /^[A-Za-z]/.test(t));
    const type: AttributeType = { key: names[0].toLowerCase(), sup: null, eq: null, ord: null, sub: null, known: true, ad: oid === '-', also: [] };
    const rules: Partial<Record<'eq' | 'ord' | 'sub', Kind>> = {};
    let sup: string | null = null;
    for (const t of tokens) {
      const kind = t.slice(1);
      if (t[0] === '^') sup = kind.toLowerCase();
      else if (t[0] === '~') type.also.push(family(kind as Kind)!);
      else if ('=<*'.includes(t[0])) {
        if (!KINDS.has(kind)) throw new Error(`filter-eval: unknown rule kind ${t}`);
        rules[t[0] === '=' ? 'eq' : t[0] === '<' ? 'ord' : 'sub'] = kind as Kind;
      }
    }
    for (const id of [...names, ...(oid === '-' ? [] : [oid])]) attributeTypes.set(id.toLowerCase(), type);
    pending.push({ type, sup, rules });
  }
  for (const p of pending) p.type.sup = p.sup === null ? null : attributeTypes.get(p.sup)!;
  const own = new Map(pending.map((p) => [p.type, p.rules]));
  const resolve = (type: AttributeType, rule: 'eq' | 'ord' | 'sub'): Kind | null => {
    for (let t: AttributeType | null = type; t !== null; t = t.sup) {
      const kind = own.get(t)![rule];
      if (kind !== undefined) return kind;
    }
    return null;
  };
  for (const p of pending) {
    p.type.eq = resolve(p.type, 'eq');
    p.type.ord = resolve(p.type, 'ord');
    p.type.sub = resolve(p.type, 'sub');
  }
}

/** Types for names the table does not know: strings with every operator (bounded cache). */
const unknownTypes = new Map<string, AttributeType>();

export function attributeType(name: string): AttributeType {
  const key = name.toLowerCase();
  const known = attributeTypes.get(key);
  if (known !== undefined) return known;
  let type = unknownTypes.get(key);
  if (type === undefined) {
    type = { key, sup: null, eq: 'ci', ord: 'ci', sub: 'ci', known: false, ad: false, also: [] };
    if (unknownTypes.size >= 10_000) unknownTypes.clear();
    unknownTypes.set(key, type);
  }
  return type;
}

export function isSubtype(type: AttributeType, of: AttributeType): boolean {
  for (let t: AttributeType | null = type; t !== null; t = t.sup) if (t === of) return true;
  return false;
}

export const objectClasses = new Map<string, ObjectClass>();
{
  const sups: [ObjectClass, string[]][] = [];
  for (const [oid, ...tokens] of tableItems(OBJECT_CLASSES)) {
    const names = tokens.filter((t) => !t.startsWith('^'));
    const oc: ObjectClass = { ids: [...names, ...(oid === '-' ? [] : [oid])].map((n) => n.toLowerCase()), sups: [], ad: oid === '-' };
    for (const id of oc.ids) objectClasses.set(id, oc);
    sups.push([oc, tokens.filter((t) => t.startsWith('^')).map((t) => t.slice(1).toLowerCase())]);
  }
  for (const [oc, names] of sups) oc.sups = names.map((n) => objectClasses.get(n)!);
}

/** The lower-cased names and OIDs of a class and of every class below it (top is handled by the caller). */
export function classAndSubclasses(oc: ObjectClass): Set<string> {
  const out = new Set<string>();
  const below = (c: ObjectClass): boolean => c === oc || c.sups.some(below);
  for (const c of new Set(objectClasses.values())) if (below(c)) for (const id of c.ids) out.add(id);
  return out;
}
