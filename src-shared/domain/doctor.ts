import type { ErrorInfo } from '../errors';
import type { ReferralReport } from './referrals';

/** The connection doctor's stages, in the order they run. */
export const STAGE_NAMES = ['dns', 'tcp', 'tls', 'bind', 'base', 'search'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** Human labels for the stages. */
export const STAGE_LABELS: Record<StageName, string> = {
  dns: 'Name resolution',
  tcp: 'TCP connect',
  tls: 'TLS handshake',
  bind: 'Bind',
  base: 'Search base exists',
  search: 'Search filter → matches',
};

/** One stage's outcome. `ok: null` means skipped (an earlier stage failed, or not applicable). */
export interface StageResult {
  name: StageName;
  ok: boolean | null;
  ms: number;
  /** What the stage found, e.g. "127.0.0.1", "TLSv1.3", "1234 matches". */
  detail?: string;
  error?: ErrorInfo;
}

/** Why a certificate was not accepted. */
export type CertificateProblem = 'unknown-issuer' | 'hostname-mismatch' | 'expired' | 'not-yet-valid' | 'other';

/** A certificate as the doctor shows it. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  pem: string;
  /** Subject alternative names, as the certificate lists them. */
  subjectAltName?: string;
}

/** Details of a certificate the doctor could not verify. */
export interface CertificateIssue {
  problem: CertificateProblem;
  /** The verifier's explanation, e.g. "unable to verify the first certificate". */
  message: string;
  /** The server's own certificate. */
  leaf: CertificateInfo;
  /** The certificate that "Trust this certificate" would store (the chain's root when the server sent it, else the leaf). */
  proposed: CertificateInfo;
  /** False when trusting cannot help (e.g. an expired certificate). */
  trustable: boolean;
}

/** The full report of one connection test. */
export interface DoctorReport {
  reachable: boolean;
  bindable: boolean;
  matches: number | null;
  stages: StageResult[];
  error: ErrorInfo | null;
  certificate: CertificateIssue | null;
  /** Continuation references the match count's search got (e.g. at an Active Directory domain root), or null when none came back. */
  references?: ReferralReport | null;
  /** The equivalent ldapsearch command line for the match count (no secret in it). */
  ldapsearch: string;
}
