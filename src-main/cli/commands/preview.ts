import { PREVIEW_PAGE_SIZES, USERNAME_MATCHES, type UsernameMatch } from '../../../src-shared/domain/preview';
import type { CommandSpec } from '../command';
import { UsageError } from '../io';
import { serverOrSample } from './sample';
import { SOURCE_OPTION, sourceOf } from './source-option';

/** The page size used when `--page-size` is not given. */
export const DEFAULT_CLI_PAGE_SIZE = 50;

function wholeNumber(text: string | boolean | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (typeof text !== 'string' || !/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new UsageError(`--${option} needs a whole number of 1 or more, not "${String(text)}"`, ['preview']);
  }
  return Number(text);
}

/** `ldap-sync preview NAME`: how the saved server's entries would become users, one page at a time. */
export const preview: CommandSpec = {
  group: 'preview',
  name: '',
  args: ['NAME'],
  summary: 'Show how the entries of a saved server become users',
  description: `Searches the saved server NAME (matched ignoring case) with its stored password and shows one
page of would-be users: DN, username, email, first and last name (from the attribute mapping),
and what the Active, Org name and Role name scripts return. An entry whose username attribute
has several values gives one user per value. Each row lists its problems: a missing username or
email, a username that occurs twice, an organization or role that does not exist yet, or a
script error with its line. Nothing is written to the store or the directory.

--source SNAPSHOT reads a snapshot ("ldap-sync snapshot list") instead of the live directory: the
server's search base and filter are evaluated on the snapshot's entries. An offline server (such
as "Sample directory") always reads its own snapshot and needs no --source; on a store without it,
"ldap-sync preview 'Sample directory'" first installs the bundled sample directory.

--raw DN shows one entry (below the search base) with every attribute, user and operational,
as the directory (or snapshot) holds it: binary values as their size and base64, with objectSid,
objectGUID and the other SID and GUID attributes first as the text AD tools show
(S-1-5-21-..., 6e5b...-...).

--search finds one username: the search filter's ? is replaced by the text, escaped as RFC 4515
requires, so "*)(uid=*" matches nothing. --match prefix finds the usernames that begin with the
text ("jsm" sends (uid=jsm*)), --match contains those that hold it anywhere ((uid=*jsm*)); the
text stays escaped, so only those added stars are wildcards.

--problems-only lists only the rows with problems; the summary still counts the whole page.
The summary line says which page it counts and how many entries the whole search matches.
Unknown organizations and roles are warnings (the fix is to create them); a script that does
not compile is reported once, not on every row.

With --json, prints the whole preview: { total, page, pageSize, hasMore, rows: [ { dn, username,
email, firstName, lastName, active, org, roles, errors: [ { code, message, line? } ] } ],
summary, readAt, scriptFailures, missing: { organizations, roles }, costs, attributes, logs,
diagnostics, search, match, problemsOnly, filter, ldapsearch }. org is null without an Org name
script and roles is [] without a Role name script; a problem with "severity": "warning" is an
organization or role that does not exist yet.`,
  options: {
    search: { type: 'string', valueName: 'TEXT', help: 'Show only the users with this username (see --match)' },
    match: { type: 'string', valueName: 'MODE', help: `How --search matches: ${USERNAME_MATCHES.join(', ')} (default exact)` },
    'problems-only': { type: 'boolean', help: 'Show only the rows with problems' },
    page: { type: 'string', valueName: 'N', help: 'The page to show (default 1)' },
    'page-size': { type: 'string', valueName: 'K', help: `Entries per page: ${PREVIEW_PAGE_SIZES.join(', ')} (default ${DEFAULT_CLI_PAGE_SIZE})` },
    source: SOURCE_OPTION,
    raw: { type: 'string', valueName: 'DN', help: 'Show every attribute of the entry DN as the directory returns it (SIDs and GUIDs as text), instead of a page' },
  },
  async run(ctx) {
    const page = wholeNumber(ctx.flags.page, 'page', 1);
    const pageSize = wholeNumber(ctx.flags['page-size'], 'page-size', DEFAULT_CLI_PAGE_SIZE);
    if (!(PREVIEW_PAGE_SIZES as readonly number[]).includes(pageSize)) {
      throw new UsageError(`--page-size must be one of ${PREVIEW_PAGE_SIZES.join(', ')}, not ${pageSize}`, ['preview']);
    }
    const search = typeof ctx.flags.search === 'string' ? ctx.flags.search : null;
    const matchText = ctx.flags.match === undefined ? 'exact' : String(ctx.flags.match);
    if (!(USERNAME_MATCHES as readonly string[]).includes(matchText)) {
      throw new UsageError(`--match must be one of ${USERNAME_MATCHES.join(', ')}, not "${matchText}"`, ['preview']);
    }
    const match = matchText as UsernameMatch;
    const problemsOnly = ctx.flags['problems-only'] === true;
    const { draftOfView } = await import('../../../src-shared/domain/server');
    const { formatPreview } = await import('../format-preview');
    const app = ctx.app();
    const server = await serverOrSample(ctx, ctx.args[0]);
    const source = sourceOf(ctx, server, ['preview']);
    const snapshotId = server.offline ? server.snapshotId : source?.kind === 'snapshot' ? source.snapshotId : null;
    const snapshot = snapshotId ? app.snapshots.list().find((s) => s.id === snapshotId) : undefined;
    const sessionId = 'cli';
    try {
      if (typeof ctx.flags.raw === 'string') {
        const { formatRawEntry } = await import('../format-preview');
        const entry = await app.preview.raw({ sessionId, serverId: server.id, draft: draftOfView(server), password: { kind: 'keep' }, source, dn: ctx.flags.raw });
        ctx.io.stdout(ctx.json ? `${JSON.stringify(entry, null, 2)}\n` : formatRawEntry(entry));
        return 0;
      }
      const result = await app.preview.run({ sessionId, serverId: server.id, draft: draftOfView(server), password: { kind: 'keep' }, source, page, pageSize, search, match, problemsOnly });
      ctx.io.stdout(ctx.json ? `${JSON.stringify(result, null, 2)}\n` : formatPreview(result, { snapshot: snapshot?.name }));
    } finally {
      await app.preview.close(sessionId);
    }
    return 0;
  },
};
