/**
 * The wire plan sent with an evaluate request (scripts/request-plan.ts): the worker evaluates with
 * exactly the plan the batches were packed with, so the outcomes equal those of an engine that
 * derives the plan itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerScripts } from '../../src-shared/domain/mapping';
import { ScriptEngine, type EntryInput } from '../../src-main/scripts/engine';
import { BATCH_SIZE } from '../../src-main/scripts/evaluation';
import { withPlan } from '../../src-main/scripts/request-plan';
import { packBatch, scriptPlan, type PlanAttributes } from '../../src-main/scripts/wire';
import type { WorkerRequest } from '../../src-main/scripts/worker-protocol';

const SCRIPTS: ServerScripts = {
  active: "function(entry) { return entry.employeeType !== 'terminated'; }",
  orgName: "function(entry) { return entry.has('l') ? 'Org ' + entry.l : null; }",
  roleName: "function(entry) { return entry.Title ? [entry.Title] : []; }",
};

const entries: EntryInput[] = Array.from({ length: 5 }, (_, i) => ({
  dn: `uid=u${i},o=x`,
  attributes: { employeeType: [i === 2 ? 'terminated' : 'staff'], l: i % 2 ? ['Oslo'] : [], title: [`T${i}`] },
}));

const hints = { forced: [], careful: [], loadFailed: [] };

function evaluateRequest(attributes?: PlanAttributes): Extract<WorkerRequest, { type: 'evaluate' }> {
  const plan = scriptPlan(SCRIPTS, attributes);
  const batches = [];
  for (let start = 0; start < entries.length; start += BATCH_SIZE) batches.push(packBatch(entries, start, Math.min(entries.length, start + BATCH_SIZE), plan));
  return { type: 'evaluate', id: 1, scripts: SCRIPTS, count: entries.length, batches, captureLogs: false, attributes, hints };
}

let engine: ScriptEngine;
beforeAll(async () => {
  engine = await ScriptEngine.create();
});
afterAll(() => engine.dispose());

describe('withPlan', () => {
  it('adds the plan the batches were packed with to an evaluate request, and leaves a check as it is', () => {
    const withheld = { withhold: ['title'] };
    for (const attributes of [undefined, withheld]) {
      const req = withPlan(evaluateRequest(attributes));
      expect(req.type === 'evaluate' && req.plan).toEqual(scriptPlan(SCRIPTS, attributes));
    }
    const check: WorkerRequest = { type: 'check', id: 2, scripts: SCRIPTS, hints };
    expect(withPlan(check)).toBe(check);
  });

  it('gives the same outcomes as an engine that derives the plan itself, a withheld attribute included', () => {
    for (const attributes of [undefined, { withhold: ['title'] }]) {
      const req = withPlan(evaluateRequest(attributes));
      if (req.type !== 'evaluate') throw new Error('not an evaluate request');
      const packed = { count: req.count, batches: req.batches };
      const given = engine.evaluatePacked(req.scripts, packed, { attributes, hints: req.hints, plan: req.plan }).outcomes;
      const derived = engine.evaluatePacked(req.scripts, packed, { attributes, hints: req.hints }).outcomes;
      expect(given).toEqual(derived);
      expect(given.map((o) => o.errors.map((e) => e.code).join() || `${o.active} ${o.org} ${o.roles.join()}`)).toEqual(
        attributes ? Array(5).fill('SCRIPT_UNFETCHED_ATTRIBUTE') : ['true null T0', 'true Org Oslo T1', 'false null T2', 'true Org Oslo T3', 'true null T4'],
      );
    }
  });
});
