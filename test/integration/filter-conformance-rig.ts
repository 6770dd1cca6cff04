/**
 * A private slapd holding a few hand-made entries under one OU, and a way to ask it and the
 * offline evaluator (strictSchema, as slapd's schema is the rig's) the same filter: the
 * differential harness of the filter-conformance-* tests.
 */
import { Client } from 'ldapts';
import { toLdaptsFilter } from '../../src-main/ldap/ldapts-filter';
import { toEntryInput } from '../../src-main/preview/entry-values';
import { compileFilter, type FilterEntry } from '../../src-main/snapshots/filter-eval';
import { startSlapd, type Slapd } from '../rig/slapd';

/** A running slapd with the test's entries, and both evaluators. */
export interface ConformanceRig {
  /** The entries as read back from slapd (what a snapshot would hold). */
  entries: FilterEntry[];
  /** The first RDN values slapd returns for a one-level search under the OU, sorted. */
  slapd(filter: string): Promise<string[]>;
  /** The same for the offline evaluator over {@link entries}. */
  local(filter: string): string[];
  /** The filters of the list whose two answers differ, with both answers. */
  disagreements(filters: readonly string[]): Promise<string[]>;
  stop(): Promise<void>;
}

const rdnValue = (dn: string): string => dn.slice(dn.indexOf('=') + 1, dn.indexOf(','));

/**
 * Starts slapd and adds `ou=<ou>,dc=example,dc=com` and, under it, one entry per item
 * (`cn=<name>`, object classes person and extensibleObject so that any attribute is allowed).
 */
export async function startConformanceRig(ou: string, items: [name: string, attributes: Record<string, string[]>][]): Promise<ConformanceRig> {
  const server: Slapd = await startSlapd({ users: 2, logOps: false, sizeLimitedUser: false });
  const base = `ou=${ou},${server.suffix}`;
  const client = new Client({ url: server.url });
  try {
    await client.bind(server.rootDn, server.rootPw);
    await client.add(base, { objectClass: 'organizationalUnit', ou });
    for (let k = 0; k < items.length; k += 50) {
      await Promise.all(items.slice(k, k + 50).map(([name, attributes]) =>
        client.add(`cn=${name},${base}`, { objectClass: ['person', 'extensibleObject'], cn: name, sn: name, ...attributes })));
    }
    const { searchEntries } = await client.search(base, { scope: 'one', filter: '(objectClass=*)', attributes: ['*'], sizeLimit: 0 });
    const entries = searchEntries.map((e) => toEntryInput(e));
    const slapd = async (filter: string): Promise<string[]> => {
      const { searchEntries: found } = await client.search(base, { scope: 'one', filter: toLdaptsFilter(filter), attributes: ['1.1'], sizeLimit: 0 });
      return found.map((e) => rdnValue(e.dn)).sort();
    };
    const local = (filter: string): string[] => {
      const compiled = compileFilter(filter, { strictSchema: true });
      if (!compiled.ok) throw new Error(`${filter}: ${compiled.message}`);
      return entries.filter((e) => compiled.test(e)).map((e) => rdnValue(e.dn)).sort();
    };
    return {
      entries,
      slapd,
      local,
      async disagreements(filters) {
        const out: string[] = [];
        for (let k = 0; k < filters.length; k += 20) {
          const batch = filters.slice(k, k + 20);
          const answers = await Promise.all(batch.map((f) => slapd(f)));
          batch.forEach((filter, i) => {
            const mine = local(filter);
            const theirs = answers[i];
            if (mine.join('|') === theirs.join('|')) return;
            const only = (a: string[], b: string[]) => a.filter((x) => !b.includes(x)).slice(0, 10).join(' ');
            out.push(`${filter}: only slapd [${only(theirs, mine)}], only the evaluator [${only(mine, theirs)}]`);
          });
        }
        return out;
      },
      async stop() {
        await client.unbind().catch(() => {});
        await server.stop();
      },
    };
  } catch (error) {
    await client.unbind().catch(() => {});
    await server.stop();
    throw error;
  }
}
