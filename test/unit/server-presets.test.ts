import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ParseOutcome } from '../../src-main/config/parse-config';
import { applyConfig } from '../../src-main/config/apply';
import { ScriptEngine } from '../../src-main/scripts/engine';
import { openStore } from '../../src-main/store/db';
import { findServerByName } from '../../src-main/store/servers-repo';
import { defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { AD_ACTIVE_SCRIPT, applyPreset, presetOfDraft, SERVER_PRESETS } from '../../src-shared/domain/presets';
import { emptyServerDraft } from '../../src-shared/domain/server-defaults';
import { usernameAttributeOf, validateServerDraft } from '../../src-shared/domain/validate-server';

const URL = 'ldaps://127.0.0.1:6360/DC=samdom,DC=test';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine?.dispose());

function parse(doc: unknown): ParseOutcome {
  return parseConfig(JSON.stringify(doc), { baseDir: '/nonexistent', checkScripts: (s) => engine.check(s) });
}

const entry = (uac: string | null): { dn: string; attributes: Record<string, string[]> } => ({ dn: 'CN=Ann,OU=People,DC=samdom,DC=test', attributes: uac === null ? {} : { userAccountControl: [uac] } });

describe('the Active Directory preset', () => {
  it('sets the AD filter with sAMAccountName as the username, mail / givenName / sn and the disabled-flag script', () => {
    const draft = applyPreset({ ...emptyServerDraft(), name: 'Corp AD', url: URL, bindDn: 'svc@samdom.test', scripts: { ...defaultScripts(), roleName: 'function(e) { return null; }' } }, 'active-directory');
    expect(draft.searchFilter).toBe('(&(objectClass=user)(objectCategory=person)(sAMAccountName=?))');
    expect(usernameAttributeOf(draft.searchFilter)).toBe('sAMAccountName');
    expect(draft.mapping).toEqual({ email: 'mail', firstName: 'givenName', lastName: 'sn' });
    expect(draft.scripts).toEqual({ active: AD_ACTIVE_SCRIPT, orgName: null, roleName: 'function(e) { return null; }' });
    expect(draft).toMatchObject({ name: 'Corp AD', url: URL, bindDn: 'svc@samdom.test' });
    expect(validateServerDraft(draft)).toEqual([]);
    expect(presetOfDraft(draft)).toBe('active-directory');
  });

  it('has an Active script that compiles and deactivates exactly the accounts with bit 2 of userAccountControl', () => {
    expect(engine.check({ active: AD_ACTIVE_SCRIPT, orgName: null, roleName: null })).toEqual([]);
    const r = engine.evaluate({ active: AD_ACTIVE_SCRIPT, orgName: null, roleName: null }, [entry('512'), entry('514'), entry('66050'), entry('66048'), entry(null)]);
    expect(r.outcomes.map((o) => o.active)).toEqual([true, false, false, true, true]);
  });

  it('leaves presetOfDraft null once a preset field is edited', () => {
    const draft = applyPreset(emptyServerDraft(), 'active-directory');
    expect(presetOfDraft({ ...draft, mapping: { ...draft.mapping, email: 'userPrincipalName' } })).toBeNull();
  });
});

describe('presets in a config file', () => {
  it('fill searchFilter, mapping and the Active script from "preset": "active-directory"', () => {
    const r = parse({ servers: [{ name: 'Corp AD', url: URL, bindDn: 'svc@samdom.test', preset: 'active-directory' }] });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const p = SERVER_PRESETS['active-directory'];
    expect(r.config.servers[0].draft).toMatchObject({ searchFilter: p.searchFilter, mapping: p.mapping, scripts: { active: AD_ACTIVE_SCRIPT, orgName: null, roleName: null } });
  });

  it('let the entry\'s own keys win over the preset, key by key', () => {
    const r = parse({
      servers: [{ name: 'Corp AD', url: URL, bindDn: 'svc@samdom.test', preset: 'active-directory', searchFilter: '(&(objectClass=user)(userPrincipalName=?))', mapping: { email: 'userPrincipalName' } }],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.config.servers[0].draft.searchFilter).toBe('(&(objectClass=user)(userPrincipalName=?))');
    expect(r.config.servers[0].draft.mapping).toEqual({ email: 'userPrincipalName', firstName: 'givenName', lastName: 'sn' });
    expect(r.config.servers[0].draft.scripts.active).toBe(AD_ACTIVE_SCRIPT);
  });

  it('refuse an unknown preset by name, and a server with neither a filter nor a preset', () => {
    const r = parse({ servers: [{ name: 'A', url: URL, bindDn: 'svc@samdom.test', preset: 'ad' }, { name: 'B', url: URL, bindDn: 'svc@samdom.test' }] });
    if (r.ok) throw new Error('expected problems');
    expect(Object.fromEntries(r.issues.map((i) => [i.path, i.message]))).toEqual({
      'servers[0].preset': 'must be "active-directory" or "openldap"',
      'servers[1].searchFilter': 'is required (a string), or give a "preset" that sets it ("active-directory" or "openldap")',
    });
  });

  it('are applied to the store like typed values, and the OpenLDAP preset gives the inetOrgPerson defaults', () => {
    const store = openStore(':memory:');
    try {
      const r = parse({ servers: [{ name: 'Corp AD', url: URL, bindDn: 'svc@samdom.test', preset: 'active-directory' }, { name: 'Lab', url: 'ldap://127.0.0.1:3890/dc=example,dc=com', bindAnonymously: true, preset: 'openldap' }] });
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      applyConfig(store.db, r.config);
      expect(findServerByName(store.db, 'Corp AD')).toMatchObject({ searchFilter: SERVER_PRESETS['active-directory'].searchFilter, scripts: { active: AD_ACTIVE_SCRIPT } });
      expect(findServerByName(store.db, 'Lab')).toMatchObject({ searchFilter: emptyServerDraft().searchFilter, mapping: emptyServerDraft().mapping, scripts: defaultScripts() });
    } finally {
      store.close();
    }
  });
});
