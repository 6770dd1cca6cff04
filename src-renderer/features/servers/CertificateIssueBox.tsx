import type { CertificateInfo, CertificateIssue, CertificateProblem } from '../../../src-shared/domain/doctor';
import { formatDateTime } from '../../ui/format';

const REASONS: Record<CertificateProblem, string | null> = {
  'unknown-issuer': 'The certificate was issued by an authority this computer does not trust',
  'hostname-mismatch': 'The certificate does not name this host',
  expired: 'The certificate has expired',
  'not-yet-valid': 'The certificate is not valid yet',
  other: null,
};

/** Props of {@link CertificateIssueBox}. */
export interface CertificateIssueBoxProps {
  issue: CertificateIssue;
  /** Stores `issue.proposed` in the draft and tests again. */
  onTrust: (cert: CertificateInfo) => void;
  /** The proposed certificate is already in the draft's trusted list. */
  alreadyTrusted: boolean;
}

function CertificateDetails({ cert }: { cert: CertificateInfo }) {
  return (
    <dl className="cert-details">
      <dt>Subject</dt>
      <dd className="mono">{cert.subject}</dd>
      <dt>Issuer</dt>
      <dd className="mono">{cert.issuer}</dd>
      <dt>Valid from</dt>
      <dd>{formatDateTime(cert.validFrom)}</dd>
      <dt>Valid to</dt>
      <dd>{formatDateTime(cert.validTo)}</dd>
      {cert.subjectAltName && (
        <>
          <dt>Names</dt>
          <dd className="mono">{cert.subjectAltName}</dd>
        </>
      )}
      <dt>SHA-256 fingerprint</dt>
      <dd className="mono fingerprint" data-testid="certificate-fingerprint">
        {cert.fingerprint256}
      </dd>
    </dl>
  );
}

/** Why the server's certificate was refused, what it says, and (when that helps) a way to trust it. */
export function CertificateIssueBox({ issue, onTrust, alreadyTrusted }: CertificateIssueBoxProps) {
  const reason = REASONS[issue.problem] ?? issue.message;
  const proposedIsLeaf = issue.proposed.fingerprint256 === issue.leaf.fingerprint256;
  return (
    <div className="certificate-issue" data-testid="certificate-issue">
      <p className="certificate-reason">
        <strong>{reason}.</strong>
      </p>
      <CertificateDetails cert={issue.leaf} />
      {issue.trustable ? (
        <>
          {!proposedIsLeaf && (
            <div className="certificate-proposed">
              <p>Trusting stores the certificate of the authority that issued it:</p>
              <CertificateDetails cert={issue.proposed} />
            </div>
          )}
          <p className="field-help">Compare the fingerprint with the one your directory administrator gives you before trusting it.</p>
          <button type="button" className="primary" disabled={alreadyTrusted} onClick={() => onTrust(issue.proposed)}>
            Trust this certificate for this server
          </button>
          {alreadyTrusted && <p className="field-help">Already trusted in this form; it still failed, so check the reason above.</p>}
        </>
      ) : (
        <p className="field-help">Trusting this certificate would not help: the server needs a valid certificate.</p>
      )}
    </div>
  );
}
