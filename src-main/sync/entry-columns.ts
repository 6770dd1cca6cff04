/**
 * How the sync planner keeps 100k entries between reading and planning: numbers in typed arrays,
 * strings in fixed chunks, no object per entry (see CollectedEntries in plan/collected-entries.ts).
 */

/** A growable Int32Array of four numbers per entry: no 8-byte slot (or object) per number. */
export class Quads {
  data = new Int32Array(4096);
  length = 0;
  push(a: number, b: number, c: number, d: number): void {
    let data = this.data;
    const at = this.length;
    if (at + 4 > data.length) {
      data = new Int32Array(data.length * 2);
      data.set(this.data);
      this.data = data;
    }
    data[at] = a;
    data[at + 1] = b;
    data[at + 2] = c;
    data[at + 3] = d;
    this.length = at + 4;
  }
}

/**
 * The entries that are not compact, seven values each, in fixed chunks of 1024 entries: no array
 * ever grows (growing 100k-slot arrays meant copying them into the old generation again and again)
 * and a chunk is small enough to be allocated young, where storing fresh strings into it is cheap.
 */
export class FullRecords {
  private static readonly CHUNK = 1024;
  private static readonly STRIDE = 7;
  private chunks: unknown[][] = [];
  length = 0;

  /** Stores one entry's values; returns its index. */
  add(dn: string, directoryId: string | null, names: string | string[] | null, keys: string | string[] | null, email: string | null, firstName: string | null, lastName: string | null): number {
    const f = this.length++;
    const c = Math.floor(f / FullRecords.CHUNK);
    const chunk = (this.chunks[c] ??= new Array(FullRecords.CHUNK * FullRecords.STRIDE));
    const at = (f % FullRecords.CHUNK) * FullRecords.STRIDE;
    chunk[at] = dn;
    chunk[at + 1] = directoryId;
    chunk[at + 2] = names;
    chunk[at + 3] = keys;
    chunk[at + 4] = email;
    chunk[at + 5] = firstName;
    chunk[at + 6] = lastName;
    return f;
  }

  private get(f: number, field: number): unknown {
    return this.chunks[Math.floor(f / FullRecords.CHUNK)][(f % FullRecords.CHUNK) * FullRecords.STRIDE + field];
  }

  dn(f: number): string {
    return this.get(f, 0) as string;
  }
  directoryId(f: number): string | null {
    return this.get(f, 1) as string | null;
  }
  /** One username (the usual case), several (a multi-valued attribute, repeats dropped), or none. */
  names(f: number): string | string[] | null {
    return this.get(f, 2) as string | string[] | null;
  }
  /** The key (trim + lower case) of each username: the very same string when equal. */
  keys(f: number): string | string[] | null {
    return this.get(f, 3) as string | string[] | null;
  }
  email(f: number): string | null {
    return this.get(f, 4) as string | null;
  }
  firstName(f: number): string | null {
    return this.get(f, 5) as string | null;
  }
  lastName(f: number): string | null {
    return this.get(f, 6) as string | null;
  }
}
