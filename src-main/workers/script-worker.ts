/**
 * The script worker: hosts one ScriptEngine (QuickJS sandboxes) off the main thread, so that a
 * script the in-sandbox limits cannot stop (a native built-in running for minutes) only costs
 * this thread, which the runner terminates. Started by script-runner.ts; see worker-protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ScriptEngine } from '../scripts/engine';
import { packOutcomes } from '../scripts/outcome-wire';
import type { PlannedRequest } from '../scripts/request-plan';
import type { ScriptWorkerData, WorkerReply } from '../scripts/worker-protocol';
import { ownWorkerData } from '../threads/start-worker';

const port = parentPort!;
const data = ownWorkerData<ScriptWorkerData>(workerData);
const send = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

// A pending timer for the worker's whole life. Without one, this thread, idle after `ready`, took
// the first request only once V8 had finished optimising the QuickJS functions that making the
// sandbox made hot (a background compile, ~0.1-0.3 s of CPU): measured, 100 ms from ready to the
// reply instead of 50 ms on a quiet 2-core machine, 0.4-1 s instead of ~20-100 ms on a busy one
// (bench:script-worker-start; the cause is not pinned down, most likely Node waiting for V8's
// background tasks when the loop has no timer to wake for). The CPU is the same. The runner
// terminates this worker and unrefs it while idle, so the timer keeps no process alive.
setInterval(() => {}, 1 << 30);

async function main(): Promise<void> {
  let engine: ScriptEngine;
  try {
    engine = await ScriptEngine.create(data.limits, { progress: data.progress });
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    return;
  }
  // Ready with the engine's first sandbox; its spare is made meanwhile. A request waits for the
  // spare (already there by the time the first page arrives), so every call can fall back on it.
  port.on('message', (m: PlannedRequest) => void engine.ready().then(() => handle(m), () => handle(m)));
  const handle = (m: PlannedRequest) => {
    try {
      if (m.type === 'check') {
        const diagnostics = engine.check(m.scripts, m.hints);
        send({ type: 'checked', id: m.id, diagnostics, memoryBytes: engine.memoryBytes() });
        return;
      }
      // The plan main packed the batches with (request-plan.ts): no parse of the scripts here.
      const r = engine.evaluatePacked(m.scripts, { count: m.count, batches: m.batches }, { captureLogs: m.captureLogs, limits: m.limits, attributes: m.attributes, hints: m.hints, plan: m.plan });
      const outcomes = packOutcomes(r.outcomes);
      send(
        { type: 'evaluated', id: m.id, result: { outcomes, costs: r.costs, totalMs: r.totalMs }, memoryBytes: engine.memoryBytes() },
        [outcomes.active.buffer as ArrayBuffer, outcomes.roleOf.buffer as ArrayBuffer],
      );
    } catch (err) {
      send({ type: 'refused', id: m.id, message: err instanceof Error ? err.message : String(err) });
    }
  };
  send({ type: 'ready' });
}

void main();
