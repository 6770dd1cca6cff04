import type { ErrorInfo } from '../../../src-shared/errors';

/** Props of {@link PreviewError}. */
export interface PreviewErrorProps {
  error: ErrorInfo;
  /** Runs the connection test (the doctor), which shows the certificate and offers to trust it. */
  onOpenDoctor?: () => void;
}

/**
 * Why the preview could not read. An untrusted certificate is explained in the admin's terms and
 * points to the connection test, where the certificate can be seen and trusted; other errors show
 * their message, their per-field issues and their code.
 */
export function PreviewError({ error, onOpenDoctor }: PreviewErrorProps) {
  if (error.code === 'TLS_UNTRUSTED') {
    return (
      <div role="alert" className="form-error" data-testid="preview-error" data-code={error.code}>
        <p>
          <strong>The directory’s certificate is not trusted, so the preview cannot read it.</strong> Run the connection test: it shows the certificate, its
          SHA-256 fingerprint and who issued it, and if it is the right one you can trust it there. No password was sent.
        </p>
        {onOpenDoctor && (
          <p>
            <button type="button" className="small" onClick={onOpenDoctor}>
              Run the connection test
            </button>
          </p>
        )}
        <details>
          <summary>Details</summary>
          <p className="mono">{error.message}</p>
        </details>
      </div>
    );
  }
  return (
    <div role="alert" className="form-error" data-testid="preview-error" data-code={error.code}>
      <p>{error.message}</p>
      {(error.fields?.length ?? 0) > 0 && (
        <ul>
          {error.fields!.map((f, i) => (
            <li key={`${f.path}-${i}`}>
              <span className="mono">{f.path.replace(/^draft\./, '')}</span>: {f.message}
            </li>
          ))}
        </ul>
      )}
      <p className="muted mono">{error.code}</p>
    </div>
  );
}
