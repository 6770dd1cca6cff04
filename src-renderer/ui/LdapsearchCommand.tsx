import { useRef, useState } from 'react';
import { copyText } from './copy-text';

/** Props of {@link LdapsearchCommand}. */
export interface LdapsearchCommandProps {
  command: string;
  testId: string;
  /** The disclosure's summary text (default "Equivalent ldapsearch command"). */
  summary?: string;
}

/** A collapsed ldapsearch command line with a Copy button, so the admin can reproduce a search in a terminal. */
export function LdapsearchCommand({ command, testId, summary = 'Equivalent ldapsearch command' }: LdapsearchCommandProps) {
  const preRef = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  return (
    <details className="ldapsearch">
      <summary>{summary}</summary>
      <pre ref={preRef} className="mono" data-testid={testId}>
        {command}
      </pre>
      <div className="row">
        <button
          type="button"
          onClick={() => {
            void copyText(command, preRef.current).then((ok) => setCopied(ok ? 'Copied.' : 'Could not copy; select the command and press Ctrl+C.'));
          }}
        >
          Copy
        </button>
        <span role="status" className="muted">
          {copied}
        </span>
      </div>
    </details>
  );
}
