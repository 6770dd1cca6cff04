/**
 * The sandbox's entry notices a read of an attribute that was not fetched, so a script never
 * computes a result on a silent `undefined`. The plans here are built deliberately smaller than
 * the analysis (`withhold`, as a snapshot that did not capture an attribute does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

const active = (text: string): ServerScripts => ({ active: text, orgName: null, roleName: null });
const entries: EntryInput[] = [
  { dn: 'uid=locked,ou=people', attributes: { uid: ['locked'], mail: ['l@example.com'], nsAccountLock: ['TRUE'] } },
  { dn: 'uid=open,ou=people', attributes: { uid: ['open'] } },
];

describe('reads of attributes that were not fetched', () => {
  it('fail the entry with SCRIPT_UNFETCHED_ATTRIBUTE, naming the script and the attribute', () => {
    const { outcomes } = engine.evaluate(active("e => e.nsAccountLock !== 'TRUE'"), entries, { attributes: { withhold: ['nsAccountLock'] } });
    for (const o of outcomes) {
      expect(o.active).toBeNull();
      expect(o.errors).toEqual([expect.objectContaining({ script: 'active', code: 'SCRIPT_UNFETCHED_ATTRIBUTE', attribute: 'nsAccountLock' })]);
      expect(o.errors[0].message).toMatch(/^The Active script read entry\.nsAccountLock, which was not fetched/);
    }
  });

  it('count every way of reading: brackets, optional chaining, in, all() and has()', () => {
    const forms = ["e => e['nsAccountLock'] === 'TRUE'", 'e => e?.nsAccountLock === undefined', "e => 'nsAccountLock' in e", "e => e.all('nsAccountLock').length > 0", "e => e.has('nsAccountLock', 'true')"];
    for (const text of forms) {
      const { outcomes } = engine.evaluate(active(text), entries, { attributes: { withhold: ['nsAccountLock'] } });
      expect({ text, codes: outcomes.map((o) => o.errors.map((e) => e.code)) }).toEqual({ text, codes: [['SCRIPT_UNFETCHED_ATTRIBUTE'], ['SCRIPT_UNFETCHED_ATTRIBUTE']] });
    }
  });

  it('are reported even when the script catches the error', () => {
    const text = "e => { try { return e.nsAccountLock !== 'TRUE'; } catch (x) { return true; } }";
    const { outcomes } = engine.evaluate(active(text), entries, { attributes: { withhold: ['nsAccountLock'] } });
    expect(outcomes.map((o) => [o.active, o.errors[0]?.code])).toEqual([
      [null, 'SCRIPT_UNFETCHED_ATTRIBUTE'],
      [null, 'SCRIPT_UNFETCHED_ATTRIBUTE'],
    ]);
  });

  it('leave attributes that were fetched but are absent undefined, as before', () => {
    const { outcomes } = engine.evaluate(active("e => e.nsAccountLock !== 'TRUE' && !('mail' in e) === (e.mail === undefined) && e.all('mail').length >= 0"), entries);
    expect(outcomes.map((o) => [o.active, o.errors])).toEqual([
      [false, []],
      [true, []],
    ]);
  });

  it('never concern names that are not attributes', () => {
    const text = "e => e.then === undefined && e.toJSON === undefined && e.some_var === undefined && e[0] === undefined && typeof e.hasOwnProperty === 'function' && e.dn.length > 0";
    expect(engine.evaluate(active(text), entries).outcomes.map((o) => [o.active, o.errors])).toEqual([
      [true, []],
      [true, []],
    ]);
  });

  it('are answered once the attribute is added to the plan, under the spelling the script read', () => {
    // What the preview does after such an error: fetch the attribute and evaluate again with it added.
    const { outcomes } = engine.evaluate(active("e => e.NSACCOUNTLOCK !== 'TRUE'"), entries, { attributes: { withhold: ['nsaccountlock'] } });
    expect(outcomes[0].errors[0]).toMatchObject({ code: 'SCRIPT_UNFETCHED_ATTRIBUTE', attribute: 'NSACCOUNTLOCK' });
    const again = engine.evaluate(active("e => e.NSACCOUNTLOCK !== 'TRUE'"), entries, { attributes: { add: ['NSACCOUNTLOCK'] } });
    expect(again.outcomes.map((o) => [o.active, o.errors])).toEqual([
      [false, []],
      [true, []],
    ]);
  });

  it('do not exist for a dynamic plan, which fetched every attribute', () => {
    const text = "e => { const k = ['nsAccount', 'Lock'].join(''); return e[k] !== 'TRUE' && e.all(k).length >= 0; }";
    expect(engine.evaluate(active(text), entries, { attributes: { withhold: ['nsAccountLock'] } }).outcomes.map((o) => [o.active, o.errors])).toEqual([
      [false, []],
      [true, []],
    ]);
  });

  it('stop only the script that read, and only on the entries it ran on', () => {
    const scripts: ServerScripts = { active: 'e => true', orgName: "e => e.uid === 'open' ? 'Open' : e.ou", roleName: 'e => null' };
    const { outcomes } = engine.evaluate(scripts, entries, { attributes: { withhold: ['ou'] } });
    expect(outcomes[0]).toMatchObject({ active: true, org: null, errors: [{ script: 'orgName', code: 'SCRIPT_UNFETCHED_ATTRIBUTE', attribute: 'ou' }] });
    expect(outcomes[1]).toMatchObject({ active: true, org: 'Open', errors: [] });
  });
});
