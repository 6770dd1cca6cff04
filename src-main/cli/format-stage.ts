import { STAGE_LABELS, type DoctorReport, type StageResult } from '../../src-shared/domain/doctor';
import { isTlsWarning } from './doctor-verdict';

const LABEL_WIDTH = Math.max(...Object.values(STAGE_LABELS).map((l) => l.length));

/**
 * One doctor stage as a line: mark (✓ passed, ✗ failed, – skipped), label, time and detail or
 * error. The TLS stage of a plain ldap:// server is flagged as a warning unless an earlier stage failed.
 */
export function formatStage(stage: StageResult, plainLdap: boolean, earlierFailed: boolean): string {
  const mark = stage.ok === true ? '✓' : stage.ok === false ? '✗' : '–';
  const warning = !earlierFailed && isTlsWarning(stage, plainLdap);
  const text = stage.error ? stage.error.message : `${warning ? 'warning: ' : ''}${stage.detail ?? ''}`;
  return `${mark} ${STAGE_LABELS[stage.name].padEnd(LABEL_WIDTH)} ${String(stage.ms).padStart(6)} ms  ${text}`.trimEnd() + '\n';
}

/** The lines after the stages: reachable/bind/matches, the verdict, certificate details and the ldapsearch equivalent. */
export function formatSummary(report: DoctorReport, passed: boolean): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const matches = report.matches === null ? '–' : report.matches.toLocaleString('en-US');
  let out = `\nReachable: ${yes(report.reachable)}   Bind: ${yes(report.bindable)}   Matches: ${matches}\n`;
  if (report.error?.code === 'CANCELLED') out += 'Result: cancelled\n';
  else out += passed ? 'Result: passed\n' : `Result: failed${report.error ? ` (${report.error.code}): ${report.error.message}` : ''}\n`;
  const cert = report.certificate;
  if (cert) {
    out += `Certificate: ${cert.leaf.subject}, issued by ${cert.leaf.issuer}, valid ${cert.leaf.validFrom} to ${cert.leaf.validTo}\n`;
    if (cert.trustable) {
      out += `To trust ${cert.proposed.subject} (SHA-256 ${cert.proposed.fingerprint256}), add its PEM to this server's "trustedCertificates" in a config file, or trust it in the app.\n`;
    }
  }
  out += `Equivalent ldapsearch: ${report.ldapsearch}\n`;
  return out;
}
