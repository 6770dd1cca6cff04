import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyConfig } from '../../src-main/config/apply';
import { exportConfig } from '../../src-main/config/export';
import { parseConfig, readConfigFile, type ParseOutcome } from '../../src-main/config/parse-config';
import { ScriptEngine } from '../../src-main/scripts/engine';
import { openStore } from '../../src-main/store/db';
import { findServerByName } from '../../src-main/store/servers-repo';
import { defaultMapping, defaultScripts } from '../../src-shared/domain/mapping-defaults';
import { AppError } from '../../src-shared/errors';

const server = (extra: Record<string, unknown> = {}) => ({
  name: 'Corp',
  url: 'ldap://127.0.0.1:3890/ou=people,dc=example,dc=com',
  bindAnonymously: true,
  searchFilter: '(&(objectClass=inetOrgPerson)(uid=?))',
  ...extra,
});

let dir: string;
let engine: ScriptEngine;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'lss-config-scripts-'));
  engine = await ScriptEngine.create();
});
afterAll(async () => {
  engine?.dispose();
  await rm(dir, { recursive: true, force: true });
});

function parse(doc: unknown): ParseOutcome {
  return parseConfig(JSON.stringify(doc), { baseDir: dir, checkScripts: (s) => engine.check(s) });
}

function issues(doc: unknown): Record<string, string> {
  const r = parse(doc);
  if (r.ok) throw new Error('expected problems');
  return Object.fromEntries(r.issues.map((i) => [i.path, i.message]));
}

describe('mapping and scripts in a config file', () => {
  it('default key by key when omitted', () => {
    const r = parse({ servers: [server({ mapping: { email: 'userPrincipalName' }, scripts: { orgName: 'function(entry) { return entry.o; }' } })] });
    expect(r.ok && r.config.servers[0].draft.mapping).toEqual({ ...defaultMapping(), email: 'userPrincipalName' });
    expect(r.ok && r.config.servers[0].draft.scripts).toEqual({ ...defaultScripts(), orgName: 'function(entry) { return entry.o; }' });
    const bare = parse({ servers: [server()] });
    expect(bare.ok && bare.config.servers[0].draft).toMatchObject({ mapping: defaultMapping(), scripts: defaultScripts() });
  });

  it('accept null for the Org name and Role name scripts', () => {
    const r = parse({ servers: [server({ scripts: { active: 'function(entry) { return true; }', orgName: null, roleName: null } })] });
    expect(r.ok).toBe(true);
  });

  it('refuse a script with a syntax error with its JSON path, line and column', () => {
    const found = issues({ servers: [server(), server({ name: 'Other', scripts: { active: 'function(entry) {\n  return entry.uid ==;\n}' } })] });
    expect(Object.keys(found)).toEqual(['servers[1].scripts.active']);
    expect(found['servers[1].scripts.active']).toMatch(/line 2, column \d+/);
  });

  it('refuse a script that is not a function, and a blank Active script', () => {
    const found = issues({ servers: [server({ scripts: { active: '   ', roleName: '42' } })] });
    expect(found['servers[0].scripts.active']).toBe('The Active script is required; the default is function(entry) { return true; }');
    expect(found['servers[0].scripts.roleName']).toMatch(/line 1, column 1/);
  });

  it('refuse unknown keys and values that are not attribute names, with suggestions', () => {
    const found = issues({ servers: [server({ mapping: { emial: 'mail' }, scripts: { active: 1 } }), server({ name: 'B', mapping: { firstName: 'given name' } })] });
    expect(found['servers[0].mapping.emial']).toBe('unknown key (did you mean "email"?)');
    expect(found['servers[0].scripts.active']).toBe('must be a string, not a whole number');
    expect(found['servers[1].mapping.firstName']).toMatch(/not an attribute name/);
  });

  it('a bad script file is refused as a whole by readConfigFile with every problem listed', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ servers: [server({ scripts: { orgName: 'function(entry) { return entry.o' } })] }));
    let error: unknown;
    try {
      readConfigFile(file, { checkScripts: (s) => engine.check(s) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).fields?.[0].path).toBe('servers[0].scripts.orgName');
  });

  it('survive export and apply into another store unchanged', () => {
    const scripts = { active: "function(entry) {\n  return entry.employeeType != 'former';\n}", orgName: null, roleName: "function(entry) { return entry.has('employeeType', 'staff') ? ['Desktop User'] : []; }" };
    const a = openStore(path.join(dir, 'a.sqlite'));
    const b = openStore(path.join(dir, 'b.sqlite'));
    try {
      const first = parse({ servers: [server({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts })] });
      if (!first.ok) throw new Error(JSON.stringify(first.issues));
      applyConfig(a.db, first.config);
      const exported = exportConfig(a.db).config;
      expect(exported.servers[0]).toMatchObject({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts });
      const again = parse(JSON.parse(JSON.stringify(exported)));
      if (!again.ok) throw new Error(JSON.stringify(again.issues));
      applyConfig(b.db, again.config);
      expect(findServerByName(b.db, 'Corp')).toMatchObject({ mapping: { email: 'mail', firstName: 'cn', lastName: '' }, scripts });
      expect(applyConfig(a.db, again.config).servers[0].action).toBe('unchanged');
    } finally {
      a.close();
      b.close();
    }
  });
});
