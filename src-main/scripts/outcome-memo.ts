/**
 * Script outcomes remembered by the values the scripts read, for one run: when the scripts are
 * functions of those values (pure-scripts.ts), an entry whose values were seen before gets the
 * outcome already computed, and only the first entry of each distinct set of values goes into the
 * sandbox. 100k entries of a typical directory are a few dozen distinct inputs for Active, Org
 * name and Role name scripts, so a run's script time all but disappears.
 *
 * Only outcomes that the values alone decide are kept: a result, or an error the script itself
 * raised or returned (SCRIPT_THROWN, SCRIPT_RETURN_TYPE, SCRIPT_UNFETCHED_ATTRIBUTE...). A time,
 * memory or stack limit, or a skipped script, depends on the moment: such entries are evaluated
 * each on their own, exactly as without the memo. When the values hardly repeat (a script reading
 * `mail`), the memo turns itself off after a few thousand entries: keys would cost more than they save.
 */
import type { DirectoryEntry } from '../directory/entry';
import type { ColumnPage } from '../directory/column-page';
import type { ScriptErrorCode } from '../../src-shared/domain/scripts';
import type { ScriptOutcome } from './evaluation';

/** Errors whose outcome depends only on the entry's values. */
const DETERMINISTIC: ReadonlySet<ScriptErrorCode> = new Set<ScriptErrorCode>(['SCRIPT_SYNTAX', 'SCRIPT_NOT_FUNCTION', 'SCRIPT_THROWN', 'SCRIPT_RETURN_TYPE', 'SCRIPT_UNFETCHED_ATTRIBUTE']);

/** Entries looked at before the memo decides whether it pays. */
const TRIAL = 5000;
/** Off when more than this share of the trial's entries needed an evaluation of their own. */
const MAX_MISS_RATE = 0.5;
/** Distinct inputs kept at most (memory stays bounded whatever the directory holds). */
const MAX_KEYS = 50_000;

/** Characters the key uses as separators: a value holding one gets a key of another form. */
const SEPARATOR = /[\u0000-\u0003]/;

/** How the memo did over a run (for benches and tests). */
export interface MemoStats {
  entries: number;
  /** Entries that went into the sandbox. */
  evaluated: number;
  /** False once the memo turned itself off. */
  on: boolean;
}

/** Remembered outcomes of one run's scripts. */
export class OutcomeMemo {
  private readonly memo = new Map<string, ScriptOutcome>();
  private entries = 0;
  private evaluated = 0;
  private on = true;

  /** `names`: every attribute the scripts read (any case). */
  constructor(private readonly names: readonly string[]) {}

  get stats(): MemoStats {
    return { entries: this.entries, evaluated: this.evaluated, on: this.on };
  }

  /** The key of entry i's values of `cols` (see SEPARATOR). */
  private keyOf(page: ColumnPage, i: number, cols: readonly number[]): string {
    let key = '';
    for (let c = 0; c < cols.length; c++) {
      const n = page.valueCount(i, cols[c]);
      if (n === 0) key += '\u0001';
      for (let j = 0; j < n; j++) {
        const v = page.valueAt(i, cols[c], j);
        if (SEPARATOR.test(v)) return this.slowKey(page, i, cols);
        key += j > 0 ? `\u0002${v}` : v;
      }
      key += '\u0003';
    }
    return key;
  }

  /** A key for values holding separator characters: JSON, in a namespace of its own. */
  private slowKey(page: ColumnPage, i: number, cols: readonly number[]): string {
    const all = cols.map((k) => Array.from({ length: page.valueCount(i, k) }, (_, j) => page.valueAt(i, k, j)));
    return `\u0000${JSON.stringify(all)}`;
  }

  /**
   * The outcomes of a page's entries, in order; `evaluate` runs the scripts over the entries it is
   * given (the engine, with the run's limits and signal).
   */
  async evaluatePage(page: ColumnPage, evaluate: (entries: DirectoryEntry[]) => Promise<ScriptOutcome[]>): Promise<ScriptOutcome[]> {
    const count = page.count;
    this.entries += count;
    if (!this.on) {
      this.evaluated += count;
      return evaluate(Array.from({ length: count }, (_, i) => page.entry(i)));
    }
    const cols = this.names.map((n) => page.column(n));
    const outcomes: ScriptOutcome[] = new Array(count);
    /** Entries of keys not known yet, by key, in page order: the first of each is evaluated. */
    const waiting = new Map<string, number[]>();
    for (let i = 0; i < count; i++) {
      const key = this.keyOf(page, i, cols);
      const known = this.memo.get(key);
      if (known !== undefined) outcomes[i] = known;
      else {
        const list = waiting.get(key);
        if (list) list.push(i);
        else waiting.set(key, [i]);
      }
    }
    if (waiting.size > 0) {
      this.evaluated += waiting.size;
      const results = await evaluate(Array.from(waiting.values(), (list) => page.entry(list[0])));
      /** Entries whose first entry's outcome the moment decided: each evaluated on its own. */
      const again: number[] = [];
      let f = 0;
      for (const [key, list] of waiting) {
        const o = results[f++];
        if (decidedByValues(o)) {
          if (this.memo.size < MAX_KEYS) this.memo.set(key, o);
          for (const i of list) outcomes[i] = o;
        } else {
          outcomes[list[0]] = o;
          for (let x = 1; x < list.length; x++) again.push(list[x]);
        }
      }
      if (again.length > 0) {
        this.evaluated += again.length;
        const more = await evaluate(again.map((i) => page.entry(i)));
        for (let x = 0; x < again.length; x++) outcomes[again[x]] = more[x];
      }
    }
    if (this.entries >= TRIAL && this.evaluated > this.entries * MAX_MISS_RATE) {
      this.on = false;
      this.memo.clear();
    }
    return outcomes;
  }
}

/** True when the outcome follows from the entry's values alone (see DETERMINISTIC); logs are never shared. */
function decidedByValues(o: ScriptOutcome): boolean {
  if (o.logs.length > 0) return false;
  for (const e of o.errors) if (!DETERMINISTIC.has(e.code)) return false;
  return true;
}
