/**
 * The wire plan travels with an evaluate request to the script worker. The runner packs a
 * request's batches with the scripts' plan (wire.ts scriptPlan: an acorn parse and a scope analysis
 * of each script, cached by text on the main thread); re-deriving it in the worker cost the worker
 * its own parse of every script at each run's start (acorn's code cold there: 10-30 ms of CPU).
 * The plan is a few small arrays and records: it costs nothing to send.
 */
import type { WorkerRequest } from './worker-protocol';
import { scriptPlan, scriptPlanKey, type WirePlan } from './wire';

/** An evaluate request with the plan its batches were packed with. */
export type PlannedEvaluate = Extract<WorkerRequest, { type: 'evaluate' }> & { plan?: WirePlan };

/** A request to the worker as the handle sends it. */
export type PlannedRequest = Exclude<WorkerRequest, { type: 'evaluate' }> | PlannedEvaluate;

/** The last plan given out, by scriptPlanKey (a run sends the same scripts page after page). */
let last: { key: string; plan: WirePlan } | null = null;

/**
 * `req` with its plan when it is an evaluate request: the same plan the runner packed with (the
 * same inputs give the same plan, and the analysis is cached by text, so this is a lookup).
 */
export function withPlan(req: WorkerRequest): PlannedRequest {
  if (req.type !== 'evaluate') return req;
  const key = scriptPlanKey(req.scripts, req.attributes);
  if (last?.key !== key) last = { key, plan: scriptPlan(req.scripts, req.attributes) };
  return { ...req, plan: last.plan };
}
