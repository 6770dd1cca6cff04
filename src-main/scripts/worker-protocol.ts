/** The messages between the script runner (main thread) and its script worker. */
import type { ScriptName, ServerScripts } from '../../src-shared/domain/mapping';
import type { ScriptDiagnostic, ScriptLimits } from '../../src-shared/domain/scripts';
import type { EvaluationHints } from './evaluation';
import type { PackedOutcomes } from './outcome-wire';
import type { PackedBatch, PlanAttributes } from './wire';

/** What the worker is started with. */
export interface ScriptWorkerData {
  limits: ScriptLimits;
  /** The progress cell (progress-cell.ts) the worker keeps up to date. */
  progress: SharedArrayBuffer;
}

/** A request to the worker. */
export type WorkerRequest =
  | { type: 'check'; id: number; scripts: ServerScripts; hints: EvaluationHints }
  | {
      type: 'evaluate';
      id: number;
      scripts: ServerScripts;
      count: number;
      batches: PackedBatch[];
      captureLogs: boolean;
      limits?: Partial<ScriptLimits>;
      /** Attributes passed in besides or instead of the analysis's (wire.ts PlanAttributes). */
      attributes?: PlanAttributes;
      hints: EvaluationHints;
    };

/** An evaluation's result as it crosses. */
export interface PackedEvaluation {
  outcomes: PackedOutcomes;
  costs: Record<ScriptName, number | null>;
  totalMs: number;
}

/** A message from the worker. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'checked'; id: number; diagnostics: ScriptDiagnostic[]; memoryBytes: number }
  | { type: 'evaluated'; id: number; result: PackedEvaluation; memoryBytes: number }
  | { type: 'refused'; id: number; message: string };
