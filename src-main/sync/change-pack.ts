/**
 * A chunk of plan changes packed for the apply worker (ApplyStream, apply-in-worker.ts): flat
 * arrays of values instead of one object per change and one per change's apply data. Structured
 * clone writes every property name of every object, so at 100k creates the objects cost main ~0.1 s
 * to post and the worker ~0.2 s to receive, on the critical path of a first sync; the flat arrays
 * hold only the values (a create's username and DN once: its apply data repeats them), and a role
 * list shared by many users is sent once per chunk (the clone keeps one copy of an array met twice).
 */
import { SYNC_ACTIONS, type SyncAction } from '../../src-shared/domain/sync-actions';
import type { StoredChange } from '../store/plan-rows-repo';
import type { ChangeData } from './plan/types';

/** Changes [seq, seq + actions.length) of a plan, packed. */
export interface PackedChanges {
  seq: number;
  /** Each change's action, as its index in SYNC_ACTIONS, plus {@link OTHER} or {@link CREATED} for where its data is. */
  actions: Uint8Array;
  /** Per change: username, dn, userId, from, to, reason (absent: null). */
  text: (string | null)[];
  /** Per create, in order: email, first name, last name, organization id, directory id. */
  creates: (string | null)[];
  /** Per create, in order: its role ids (one array per distinct list). */
  roles: (readonly string[])[];
  /** The apply data of every change that is not a create and has some, in order. */
  other: ChangeData[];
}

const TEXT = 6;
const CREATE = 5;
const ACTION_CODE = new Map<SyncAction, number>(SYNC_ACTIONS.map((a, i) => [a, i]));
/** The bit of an action byte saying the change's apply data is the next of `other`. */
const OTHER = 0x80;
/** The bit of an action byte saying the change is a create whose apply data is the next of `creates` and `roles`. */
const CREATED = 0x40;

/** Packs changes [from, to) of `changes`, which must be consecutive in seq. */
export function packChanges(changes: readonly StoredChange[], from: number, to: number): PackedChanges {
  const n = to - from;
  const seq = n > 0 ? changes[from].seq : 0;
  const actions = new Uint8Array(n);
  const text: (string | null)[] = new Array(n * TEXT);
  const creates: (string | null)[] = [];
  const roles: (readonly string[])[] = [];
  const other: ChangeData[] = [];
  for (let i = 0; i < n; i++) {
    const c = changes[from + i];
    if (c.seq !== seq + i) throw new Error(`packChanges: change ${from + i} has seq ${c.seq}, not ${seq + i}`);
    actions[i] = ACTION_CODE.get(c.action)!;
    const t = i * TEXT;
    text[t] = c.username;
    text[t + 1] = c.dn;
    text[t + 2] = c.userId;
    text[t + 3] = c.from ?? null;
    text[t + 4] = c.to ?? null;
    text[t + 5] = c.reason ?? null;
    const d = c.data as ChangeData | null;
    if (d === null || d === undefined) continue;
    if (d.kind === 'create') {
      // Its id, username and DN are the change's own (decide-new.ts): checked, not sent twice.
      if (d.id !== c.userId || d.username !== c.username || d.dn !== c.dn) throw new Error(`packChanges: create ${c.seq} does not name its own user`);
      creates.push(d.email, d.firstName, d.lastName, d.orgId, d.directoryId);
      roles.push(d.roleIds);
      actions[i] |= CREATED;
    } else {
      other.push(d);
      actions[i] |= OTHER;
    }
  }
  return { seq, actions, text, creates, roles, other };
}

/** The changes of a packed chunk, as {@link packChanges} was given them. */
export function unpackChanges(p: PackedChanges): StoredChange[] {
  const out: StoredChange[] = new Array(p.actions.length);
  let create = 0;
  let other = 0;
  for (let i = 0; i < p.actions.length; i++) {
    const code = p.actions[i];
    const action = SYNC_ACTIONS[code & ~(OTHER | CREATED)];
    const t = i * TEXT;
    const username = p.text[t];
    const dn = p.text[t + 1];
    const userId = p.text[t + 2];
    let data: ChangeData | null = null;
    if (code & CREATED) {
      const k = create * CREATE;
      data = { kind: 'create', id: userId!, username: username!, email: p.creates[k], firstName: p.creates[k + 1], lastName: p.creates[k + 2], orgId: p.creates[k + 3]!, roleIds: p.roles[create] as string[], dn: dn!, directoryId: p.creates[k + 4] };
      create++;
    } else if (code & OTHER) {
      data = p.other[other++];
    }
    const c: StoredChange = { seq: p.seq + i, username, dn, userId, action, data };
    if (p.text[t + 3] !== null) c.from = p.text[t + 3]!;
    if (p.text[t + 4] !== null) c.to = p.text[t + 4]!;
    if (p.text[t + 5] !== null) c.reason = p.text[t + 5]!;
    out[i] = c;
  }
  return out;
}
