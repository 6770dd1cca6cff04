import type { DoctorReport, StageResult } from '../../src-shared/domain/doctor';
import type { ServerDraft } from '../../src-shared/domain/server';

/** True for a plain `ldap://` server without StartTLS, whose TLS stage is skipped by design. */
export function isPlainLdap(server: Pick<ServerDraft, 'url' | 'startTls'>): boolean {
  return /^ldap:\/\//i.test(server.url.trim()) && !server.startTls;
}

/** A skipped TLS stage on a plain ldap:// server: a warning, not a failure. */
export function isTlsWarning(stage: StageResult, plain: boolean): boolean {
  return plain && stage.name === 'tls' && stage.ok === null;
}

/** True when every stage passed (a plain ldap:// server's skipped TLS stage counts as passed). */
export function doctorPassed(report: DoctorReport, server: Pick<ServerDraft, 'url' | 'startTls'>): boolean {
  const plain = isPlainLdap(server);
  return report.stages.length > 0 && report.stages.every((s) => s.ok === true || isTlsWarning(s, plain));
}
