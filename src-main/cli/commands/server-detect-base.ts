import type { BaseDetection } from '../../../src-shared/domain/base-detection';
import type { CommandSpec } from '../command';
import { AppError } from '../../../src-shared/errors';
import { UsageError } from '../io';

const TOPIC = ['server', 'detect-base'];

/** The detection as text: the base, where it came from and why, the URL to use, the naming contexts. */
export function formatDetection(d: BaseDetection, subject: string): string {
  const kind = d.kind === 'active-directory' ? 'Active Directory' : d.kind === 'ad-lds' ? 'AD LDS' : 'LDAP directory';
  let out = `Search base for ${subject}: ${d.baseDn}\n`;
  out += `  From:    ${d.from} (${kind}, read ${d.boundAs ? `as ${d.boundAs}` : 'anonymously'})\n`;
  out += `  Why:     ${d.reason}\n`;
  out += `  URL:     ${d.url}\n`;
  if (d.namingContexts.length) out += `  Naming contexts: ${d.namingContexts.join('; ')}\n`;
  if (d.globalCatalog) out += `  Note:    ${d.globalCatalog}\n`;
  return out;
}

/** `ldap-sync server detect-base NAME|URL`: the search base a server's rootDSE suggests. */
export const serverDetectBase: CommandSpec = {
  group: 'server',
  name: 'detect-base',
  args: ['NAME|URL'],
  summary: "Suggest a search base from the directory's rootDSE",
  description: `Reads the rootDSE of the saved server NAME (with its stored password, over its TLS settings),
or of an ldap:// or ldaps:// URL (anonymously), and prints the search base it suggests:
Active Directory's defaultNamingContext (the domain root), or else the first of namingContexts
that holds entries (cn=config, cn=monitor and AD's configuration, schema and DNS partitions are
left out). Prints why, the URL with that base, and every naming context the server lists.

--set saves the URL with the detected base into the saved server NAME (its password is kept:
the host does not change). For a URL, --starttls upgrades ldap:// before reading and --ca FILE
trusts a PEM certificate (your CA) besides the system's.

With --json, prints { baseDn, url, kind, from, namingContexts, reason, globalCatalog, boundAs, saved }.
Exit status: 0 when a base was found, 1 otherwise.`,
  options: {
    set: { type: 'boolean', help: 'Save the URL with the detected base into the saved server' },
    starttls: { type: 'boolean', help: 'For a URL: StartTLS before reading (ldap:// only)' },
    ca: { type: 'string', valueName: 'FILE', help: 'For a URL: a PEM certificate to trust (your CA)' },
  },
  async run(ctx) {
    const arg = ctx.args[0];
    const isUrl = /^ldaps?:\/\//i.test(arg.trim());
    if (isUrl && ctx.flags.set) throw new UsageError('--set needs a saved server NAME, not a URL (put the URL in a config file, then: ldap-sync config apply FILE)', TOPIC);
    if (!isUrl && (ctx.flags.starttls || ctx.flags.ca !== undefined)) throw new UsageError('--starttls and --ca apply to a URL; a saved server uses its own settings', TOPIC);
    const { draftOfView, emptyServerDraft } = await import('../../../src-shared/domain/server');
    let detection: BaseDetection;
    let saved = false;
    let subject: string;
    if (isUrl) {
      const { readFileSync } = await import('node:fs');
      const { parseTrustedPem } = await import('../../ldap/certificate');
      const { detectBase } = await import('../../ldap/detect-base');
      const { detectionTarget } = await import('../../services/detect-base');
      let trusted: ReturnType<typeof parseTrustedPem>[] = [];
      if (typeof ctx.flags.ca === 'string') {
        let pem: string;
        try {
          pem = readFileSync(ctx.flags.ca, 'utf8');
        } catch (err) {
          throw new UsageError(`--ca: cannot read "${ctx.flags.ca}" (${(err as NodeJS.ErrnoException).code ?? 'error'})`, TOPIC);
        }
        trusted = [parseTrustedPem(pem, '--ca')];
      }
      const draft = { ...emptyServerDraft(), url: arg.trim(), startTls: ctx.flags.starttls === true, bindAnonymously: true, trustedCertificates: trusted };
      detection = await detectBase(detectionTarget(draft), null, draft.url, ctx.io.signal);
      subject = arg.trim();
    } else {
      const { detectBaseForDraft } = await import('../../services/detect-base');
      const app = ctx.app();
      const server = app.servers.byName(arg);
      subject = `"${server.name}"`;
      if (server.offline) throw new AppError('INVALID_INPUT', `${subject} is offline: it never connects to a directory. Detect the base from a URL instead: ldap-sync server detect-base ldaps://HOST`);
      detection = await detectBaseForDraft(app.servers, { serverId: server.id, draft: draftOfView(server), password: { kind: 'keep' }, signal: ctx.io.signal });
      if (ctx.flags.set && detection.url !== server.url) {
        await app.servers.update(server.id, { ...draftOfView(server), url: detection.url }, { kind: 'keep' });
        saved = true;
      }
    }
    if (ctx.json) {
      ctx.io.stdout(`${JSON.stringify({ ...detection, saved }, null, 2)}\n`);
      return 0;
    }
    let out = formatDetection(detection, subject);
    if (saved) out += `Saved: the URL of ${subject} is now ${detection.url}\n`;
    else if (!isUrl && ctx.flags.set) out += `The URL of ${subject} already has this base: nothing to save.\n`;
    else if (!isUrl) out += `To save it: ldap-sync server detect-base ${/^[A-Za-z0-9._-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`} --set\n`;
    ctx.io.stdout(out);
    return 0;
  },
};
