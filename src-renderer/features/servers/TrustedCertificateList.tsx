import type { TrustedCertificate } from '../../../src-shared/domain/server';

/** Props of {@link TrustedCertificateList}. */
export interface TrustedCertificateListProps {
  certificates: TrustedCertificate[];
  error?: string;
  onRemove: (fingerprint: string) => void;
}

/** The certificates trusted for this server (in the draft; stored on Save), each removable. */
export function TrustedCertificateList({ certificates, error, onRemove }: TrustedCertificateListProps) {
  return (
    <section className="trusted" aria-labelledby="trusted-heading">
      <h3 id="trusted-heading">Trusted certificates</h3>
      {certificates.length === 0 ? (
        <p className="muted">None. The system&apos;s certificate authorities are used; when a test shows an untrusted certificate you can trust it here.</p>
      ) : (
        <ul className="trusted-list">
          {certificates.map((cert) => (
            <li key={cert.fingerprint256} data-testid="trusted-certificate">
              <div className="trusted-text">
                <div className="mono">{cert.subject}</div>
                <div className="mono fingerprint muted">{cert.fingerprint256}</div>
              </div>
              <button type="button" onClick={() => onRemove(cert.fingerprint256)} aria-label={`Remove certificate ${cert.subject}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && <p className="field-error">{error}</p>}
    </section>
  );
}
