import { readFile } from 'node:fs/promises';

/** Operation kinds slapd's `stats` log level prints for client requests. */
export const OP_KINDS = ['BIND', 'UNBIND', 'SRCH', 'CMP', 'ADD', 'MOD', 'MODRDN', 'DEL', 'EXT', 'ABANDON'] as const;

/** Kinds that change the directory (EXT ops are reported with their OID and need their own check). */
export const WRITE_OP_KINDS = ['ADD', 'MOD', 'MODRDN', 'DEL'] as const;

/** One request line of the op log. */
export interface OpRecord {
  conn: number;
  op: number;
  /** `BIND`, `SRCH`, ... or `EXT <oid>` for extended operations. */
  kind: string;
  /** The full line without slapd's timestamp/thread prefix. */
  text: string;
}

const OP_LINE = /\bconn=(\d+) op=(\d+) ([A-Z]+)\b(.*)$/;
const KNOWN = new Set<string>(OP_KINDS);

/**
 * Parses slapd `stats` lines (`conn=1000 op=0 BIND dn=...`) into request records; result lines
 * (`RESULT`, `SEARCH RESULT`) and StartTLS/ACCEPT/closed noise are skipped.
 */
export function parseOpRecords(lines: readonly string[]): OpRecord[] {
  const out: OpRecord[] = [];
  for (const line of lines) {
    const m = OP_LINE.exec(line);
    if (!m || !KNOWN.has(m[3])) continue;
    const oid = m[3] === 'EXT' ? /\boid=(\S+)/.exec(m[4])?.[1] : undefined;
    const text = line.slice(m.index);
    out.push({ conn: Number(m[1]), op: Number(m[2]), kind: oid ? `EXT ${oid}` : m[3], text });
  }
  return out;
}

/** The distinct operation kinds in the log, in first-seen order (e.g. `BIND`, `SRCH`, `UNBIND`). */
export function parseOps(lines: readonly string[]): string[] {
  return [...new Set(parseOpRecords(lines).map((r) => r.kind))];
}

/** Connection ids with an ACCEPT / closed line in slapd's stderr log. */
export function connectionIds(text: string): { accepted: Set<string>; closed: Set<string> } {
  const accepted = new Set<string>();
  const closed = new Set<string>();
  for (const m of text.matchAll(/\bconn=(\d+) fd=\d+ (ACCEPT|closed)/g)) {
    (m[2] === 'ACCEPT' ? accepted : closed).add(m[1]);
  }
  return { accepted, closed };
}

/**
 * Op lines from slapd's stderr once every accepted connection is closed (or settleMs passed),
 * leaving out the connections of the rig's own readiness probe (`hidden`).
 */
export async function readOpLines(logFile: string, settleMs: number, hidden: Set<string>): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const text = await readFile(logFile, 'utf8');
    const { accepted, closed } = connectionIds(text);
    if ([...accepted].every((c) => closed.has(c)) || Date.now() >= deadline) {
      return text.split('\n').flatMap((l) => {
        const m = /\bconn=(\d+) op=\d+ /.exec(l);
        return m && !hidden.has(m[1]) ? [l.slice(m.index)] : [];
      });
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
