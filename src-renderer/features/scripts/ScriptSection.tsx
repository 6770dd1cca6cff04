import type { ScriptName } from '../../../src-shared/domain/mapping';
import type { ScriptDiagnostic } from '../../../src-shared/domain/scripts';
import { EDITOR_KEYS_HINT, ScriptEditor } from './ScriptEditor';
import { formatCost, SCRIPT_META, templateOf } from './script-meta';
import { TestCases, TestSummary, type TestCasesProps } from './TestCases';

/** Props of {@link ScriptSection}. */
export interface ScriptSectionProps {
  name: ScriptName;
  /** The source; null for an absent optional script. */
  source: string | null;
  onChange: (source: string | null) => void;
  diagnostics: readonly ScriptDiagnostic[];
  /** Microseconds per entry on the current preview page (null: absent or not measured yet). */
  cost: number | null;
  attributes: readonly string[];
  /** A problem main reported for this script on save. */
  error?: string;
  disabled?: boolean;
  /** This script's test cases and their latest results. */
  tests: Omit<TestCasesProps, 'script' | 'disabled'>;
}

/**
 * One script: its title, cost and test summary, the editor, its diagnostics as "line L, column C:
 * message", and its test cases. Optional scripts show an Add button while absent and a Remove button
 * while present.
 */
export function ScriptSection({ name, source, onChange, diagnostics, cost, attributes, error, disabled, tests }: ScriptSectionProps) {
  const meta = SCRIPT_META[name];
  const headingId = `script-${name}-heading`;
  return (
    <section className="script-section" aria-labelledby={headingId} data-testid={`script-section-${name}`}>
      <div className="script-head">
        <h4 id={headingId}>
          {meta.title}
          {meta.optional && <span className="muted"> (optional)</span>}
        </h4>
        <TestSummary script={name} cases={tests.cases} results={tests.results} running={tests.running} />
        {source !== null && (
          <span className="script-cost" data-testid={`script-cost-${name}`} title="Time the script took per entry, measured on the current preview page">
            {formatCost(cost)}
          </span>
        )}
        {meta.optional && source !== null && (
          <button type="button" className="small" aria-label={`Remove ${meta.title}`} disabled={disabled} onClick={() => onChange(null)}>
            Remove
          </button>
        )}
      </div>
      <p className="field-help">Returns {meta.returns}.</p>
      {source === null ? (
        <button type="button" disabled={disabled} onClick={() => onChange(templateOf(name))}>
          Add {meta.short} script
        </button>
      ) : (
        <>
          <ScriptEditor label={meta.title} value={source} onChange={onChange} diagnostics={diagnostics} attributes={attributes} readOnly={disabled} />
          <p className="editor-keys muted" data-testid={`editor-keys-${name}`}>
            {EDITOR_KEYS_HINT}
          </p>
          <ul className="script-diagnostics" data-testid={`script-diagnostics-${name}`} aria-live="polite">
            {diagnostics.map((d, i) => (
              <li key={`${d.from}-${i}`} className={d.severity === 'error' ? 'bad' : 'warning-text'}>
                line {d.line}, column {d.column}: {d.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {error && <p className="field-error">{error}</p>}
      {(source !== null || tests.cases.length > 0) && <TestCases script={name} disabled={disabled} {...tests} />}
    </section>
  );
}
