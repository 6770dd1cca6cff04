import type { ScriptName } from './mapping';

/** A problem in a script's source, placed for the editor (CodeMirror's Diagnostic shape plus line/column). */
export interface ScriptDiagnostic {
  script: ScriptName;
  severity: 'error' | 'warning';
  message: string;
  /** 1-based line and column. */
  line: number;
  column: number;
  /** 0-based character offsets into the script text. */
  from: number;
  to: number;
}

/** How one script call can fail. */
export const SCRIPT_ERROR_CODES = [
  'SCRIPT_SYNTAX',
  'SCRIPT_NOT_FUNCTION',
  'SCRIPT_THROWN',
  'SCRIPT_RETURN_TYPE',
  'SCRIPT_TIMEOUT',
  'SCRIPT_MEMORY',
  'SCRIPT_STACK',
  'SCRIPT_SKIPPED',
  /** The script read an attribute that was not fetched (the attribute analysis did not see the read, or a snapshot lacks it). */
  'SCRIPT_UNFETCHED_ATTRIBUTE',
] as const;
export type ScriptErrorCode = (typeof SCRIPT_ERROR_CODES)[number];

/** One script's failure on one entry. */
export interface ScriptErrorInfo {
  script: ScriptName;
  code: ScriptErrorCode;
  message: string;
  line?: number;
  column?: number;
  /** SCRIPT_UNFETCHED_ATTRIBUTE: the attribute read, as the script spelled it. */
  attribute?: string;
}

/** A `console.log` line written by a script while evaluating an entry. */
export interface ScriptLog {
  script: ScriptName;
  dn: string;
  text: string;
}

/** Limits applied to script evaluation. */
export interface ScriptLimits {
  /** Wall time one script may spend on one entry before it is stopped. Default 250 ms. */
  timeMs: number;
  /** Ceiling on the sandbox's WebAssembly memory. Default 64 MiB. */
  memoryBytes: number;
  /** QuickJS stack size. Default 512 KiB. */
  stackBytes: number;
}

/** The limits used when a server sets none. */
export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeMs: 250, memoryBytes: 64 * 1024 * 1024, stackBytes: 512 * 1024 };
