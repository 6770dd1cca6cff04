import { lookup } from 'node:dns/promises';
import net, { isIP, type Socket } from 'node:net';
import tls, { type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { STAGE_NAMES, type CertificateIssue, type DoctorReport, type StageName, type StageResult } from '../../src-shared/domain/doctor';
import { AppError } from '../../src-shared/errors';
import { matchAllFilter } from '../../src-shared/ldap/filter';
import { globalCatalogNote } from '../../src-shared/domain/base-detection';
import { certificateIssue, presentedChain } from './certificate';
import { closeClient, connect } from './client';
import type { Client } from 'ldapts';
import { withDeadline } from './deadline';
import { ldapsearchCommand } from './ldapsearch-command';
import { toLdapAppError } from './ldap-errors';
import { hostPort } from './host-port';
import type { LdapTarget } from './target';
import { tlsOptionsFor } from './tls-options';
import { negotiateStartTls } from './raw-starttls';
import { ReferenceJudge, ReferenceTally } from './referrals';
import { readRootDse } from './root-dse';
import { directoryKind } from './directory-kind';
import { countWithPageHint, NOBODY_WARNING } from './doctor-count';
import type { ReferralReport } from '../../src-shared/domain/referrals';

/** Inputs of one doctor run. */
export interface DoctorOptions {
  target: LdapTarget;
  /** The bind password, or null when anonymous or not available. */
  password: string | null;
  /** Why the password is not available (shown on the bind stage), if it isn't. */
  passwordProblem?: AppError;
  signal?: AbortSignal;
  onStage?: (stage: StageResult) => void;
}

/**
 * The connection doctor: resolves the host, connects, checks TLS, binds, reads the search base and
 * counts the filter's matches with a paged search, timing each stage. Never throws; every failure
 * is reported on its stage, and later stages are marked skipped.
 */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const t = opts.target;
  const stages: StageResult[] = [];
  let failure: AppError | null = null;
  let certificate: CertificateIssue | null = null;
  let matches: number | null = null;
  let references: ReferralReport | null = null;

  const record = (s: StageResult) => {
    stages.push(s);
    opts.onStage?.(s);
  };
  const run = async <T>(name: StageName, fn: () => Promise<{ value: T; detail?: string; ok?: boolean | null }>): Promise<T | undefined> => {
    if (failure) {
      record({ name, ok: null, ms: 0, detail: 'Skipped: an earlier stage failed.' });
      return undefined;
    }
    const started = performance.now();
    try {
      const r = await fn();
      record({ name, ok: r.ok === undefined ? true : r.ok, ms: Math.round(performance.now() - started), detail: r.detail });
      return r.value;
    } catch (err) {
      const e = err instanceof AppError ? err : toLdapAppError(err, name === 'tcp' || name === 'dns' ? 'connect' : (name as 'tls'), t);
      failure = e;
      record({ name, ok: false, ms: Math.round(performance.now() - started), error: e.toInfo() });
      return undefined;
    }
  };

  const address = await run('dns', async () => {
    if (isIP(t.host)) return { value: t.host, detail: `${t.host} (an IP address; nothing to resolve)` };
    try {
      const all = await withDeadline(lookup(t.host, { all: true }), t.timeoutMs, 'connect', opts.signal);
      return { value: all[0].address, detail: all.map((a) => a.address).join(', ') };
    } catch (err) {
      throw toLdapAppError(err, 'connect', t);
    }
  });

  const socket = await run('tcp', async () => {
    const s = await connectTcp(address as string, t, opts.signal);
    return { value: s, detail: `Connected to ${hostPort({ host: address as string, port: t.port })}` };
  });

  await run('tls', async () => {
    const s = socket as Socket;
    if (t.scheme === 'ldap' && !t.startTls) {
      s.destroy();
      return { value: undefined, ok: null, detail: 'Not encrypted: ldap:// without StartTLS sends the bind password in clear text. Use ldaps:// or turn on StartTLS.' };
    }
    try {
      if (t.startTls) {
        const code = await withDeadline(negotiateStartTls(s), t.timeoutMs, 'starttls', opts.signal, () => s.destroy());
        if (code !== 0) throw new AppError('STARTTLS_FAILED', `${hostPort(t)} refused StartTLS (LDAP result ${code}). Use ldaps:// or turn StartTLS off.`);
      }
      const secured = await handshake(s, t, opts.signal);
      const detail = `${secured.getProtocol() ?? 'TLS'}, certificate verified (${secured.getPeerCertificate().subject?.CN ?? 'no CN'})`;
      secured.destroy();
      return { value: undefined, detail };
    } catch (err) {
      s.destroy();
      if (err instanceof TlsVerifyError) {
        certificate = err.issue;
        throw new AppError('TLS_UNTRUSTED', err.issue.message);
      }
      throw toLdapAppError(err, t.startTls ? 'starttls' : 'tls', t);
    }
  });

  let client: Client | null = null;
  try {
    await run('bind', async () => {
      if (opts.passwordProblem && !t.bindAnonymously) throw opts.passwordProblem;
      client = await connect(t, opts.password, { signal: opts.signal });
      return { value: undefined, detail: t.bindAnonymously ? 'Bound anonymously' : `Bound as ${t.bindDn}` };
    });
    await run('base', async () => {
      try {
        const r = await withDeadline(
          client!.search(t.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] }),
          t.timeoutMs + 1000,
          'base',
          opts.signal,
          () => void closeClient(client!),
        );
        if (r.searchEntries.length === 0) throw new AppError('NO_SUCH_BASE', `The search base "${t.baseDn}" was not returned: it does not exist, or "${t.bindDn || 'anonymous'}" may not read it.`);
      } catch (err) {
        throw toLdapAppError(err, 'base', t);
      }
      return { value: undefined, detail: `${t.baseDn} exists` };
    });
    await run('search', async () => {
      const refs: string[] = [];
      const dse = await readRootDse(client!);
      matches = await countWithPageHint(client!, t, directoryKind(dse), refs, opts.signal);
      const gc = globalCatalogNote(t.port);
      const found = `${matches.toLocaleString('en-US')} ${matches === 1 ? 'match' : 'matches'} for ${matchAllFilter(t.searchFilter)}${gc ? `. ${gc}` : ''}`;
      const detail = matches === 0 ? `${found}. ${NOBODY_WARNING(t.bindDn)}` : found;
      if (refs.length === 0) return { value: undefined, detail };
      // Said even when harmless: an admin should know the base reaches into other partitions.
      const tally = new ReferenceTally(new ReferenceJudge(dse, t.baseDn));
      tally.add(refs);
      references = tally.report();
      if (references!.failsSync) throw new AppError('REFERRAL', `${detail}. ${references!.message}`);
      return { value: undefined, detail: `${detail}. ${references!.message}` };
    });
  } finally {
    if (client) await closeClient(client);
  }

  const byName = new Map(stages.map((s) => [s.name, s]));
  const passed = (n: StageName) => byName.get(n)?.ok === true;
  const tlsStage = byName.get('tls');
  return {
    reachable: passed('tcp') && tlsStage?.ok !== false,
    bindable: passed('bind'),
    matches,
    stages: STAGE_NAMES.map((n) => byName.get(n)!),
    error: failure ? (failure as AppError).toInfo() : null,
    certificate,
    references,
    ldapsearch: ldapsearchCommand(t),
  };
}

function connectTcp(address: string, t: LdapTarget, signal?: AbortSignal): Promise<Socket> {
  const s = net.connect({ host: address, port: t.port });
  const connected = new Promise<Socket>((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
  return withDeadline(connected, t.timeoutMs, 'connect', signal, () => s.destroy()).catch((err) => {
    s.destroy();
    throw toLdapAppError(err, 'connect', t);
  });
}

class TlsVerifyError extends Error {
  constructor(readonly issue: CertificateIssue) {
    super(issue.message);
  }
}

/**
 * A verifying TLS handshake over an existing socket. Verification stays on; when it fails, the
 * certificate chain is captured just before Node closes the connection so the doctor can show it.
 */
function handshake(socket: Socket, t: LdapTarget, signal?: AbortSignal): Promise<TLSSocket> {
  const secured = tls.connect({ ...tlsOptionsFor(t.host, t.trusted), socket });
  let chain: Buffer[] = [];
  // 'secure' fires after the handshake and before Node acts on the verification result.
  secured.prependListener('secure', () => {
    try {
      chain = presentedChain(secured.getPeerCertificate(true) as DetailedPeerCertificate);
    } catch {
      chain = [];
    }
  });
  const done = new Promise<TLSSocket>((resolve, reject) => {
    secured.once('secureConnect', () => resolve(secured));
    secured.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code;
      if (chain.length && code && (code.startsWith('ERR_TLS_CERT') || /CERT|SELF_SIGNED|ISSUER|VERIFY/.test(code))) {
        reject(new TlsVerifyError(certificateIssue(code, err.message, chain, t.host)));
      } else reject(err);
    });
  });
  return withDeadline(done, t.timeoutMs, t.startTls ? 'starttls' : 'tls', signal, () => secured.destroy());
}
