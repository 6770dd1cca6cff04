import { useState } from 'react';
import type { ScriptName } from '../../../src-shared/domain/mapping';
import type { ScriptTestCase, ScriptTestResult } from '../../../src-shared/domain/script-tests';
import { SCRIPT_META } from './script-meta';
import { TestCaseDialog } from './TestCaseDialog';
import { formatValue, statusOf, type CaseStatus } from './test-case-model';

/** Props of {@link TestCases} and {@link TestSummary}. */
export interface TestCasesProps {
  script: ScriptName;
  /** This script's cases, in order. */
  cases: readonly ScriptTestCase[];
  results: Record<string, ScriptTestResult>;
  /** A run for the current scripts and cases is waiting or in flight. */
  running: boolean;
  /** Adds a case, or replaces the case with the same id. */
  onSave: (testCase: ScriptTestCase) => void;
  onDelete: (id: string) => void;
  disabled?: boolean;
}

const STATUS_TEXT: Record<CaseStatus, string> = { pass: '✓ pass', fail: '✗ fail', pending: '… running' };
const STATUS_TONE: Record<CaseStatus, string> = { pass: 'ok', fail: 'bad', pending: 'muted' };

/** "3/4 passing" for the editor's head; nothing without cases. */
export function TestSummary({ script, cases, results, running }: Pick<TestCasesProps, 'script' | 'cases' | 'results' | 'running'>) {
  if (cases.length === 0) return null;
  const statuses = cases.map((c) => statusOf(results[c.id]));
  const passing = statuses.filter((s) => s === 'pass').length;
  const pending = statuses.includes('pending');
  const tone = pending ? 'muted' : passing === cases.length ? 'ok' : 'bad';
  return (
    <span
      className={`badge badge-${tone}`}
      data-testid={`test-summary-${script}`}
      data-state={pending || running ? 'running' : passing === cases.length ? 'pass' : 'fail'}
      title={`${SCRIPT_META[script].short} test cases that pass with the current (unsaved) script`}
    >
      {passing}/{cases.length} passing
    </span>
  );
}

function Outcome({ result }: { result: ScriptTestResult }) {
  if (result.pass) return null;
  return (
    <div className="test-case-detail" data-testid="test-case-detail">
      {result.error ? (
        <p className="bad">Script error: {result.error}</p>
      ) : (
        <p>
          Expected <code>{formatValue(result.expected)}</code>, got <code className="bad">{formatValue(result.actual)}</code>
        </p>
      )}
    </div>
  );
}

/**
 * A script's test cases under its editor: each with a pass / fail badge (run on every edit with the
 * unsaved script), a failing one with expected against actual or the script's error; Add, Edit, Delete.
 */
export function TestCases({ script, cases, results, running, onSave, onDelete, disabled }: TestCasesProps) {
  const [editing, setEditing] = useState<ScriptTestCase | 'new' | null>(null);
  const meta = SCRIPT_META[script];
  return (
    <div className="test-cases" data-testid={`test-cases-${script}`}>
      <div className="test-cases-head">
        <h5>Test cases</h5>
        {running && cases.length > 0 && <span className="spinner" aria-hidden="true" />}
        <button type="button" className="small" disabled={disabled} onClick={() => setEditing('new')} aria-label={`Add ${meta.short} test case`}>
          Add test case
        </button>
      </div>
      {cases.length === 0 ? (
        <p className="field-help">
          None yet. Add one by hand, or from a preview row (<em>+ Test</em>): it keeps the entry and expects the script's current result.
        </p>
      ) : (
        <ul className="test-case-list">
          {cases.map((c) => {
            const result = results[c.id];
            const status = statusOf(result);
            return (
              <li key={c.id} className={`test-case test-case-${status}`} data-testid="test-case" data-status={status} data-name={c.name}>
                <div className="test-case-head">
                  <span className={`badge badge-${STATUS_TONE[status]}`} data-testid="test-case-status">
                    {STATUS_TEXT[status]}
                  </span>
                  <span className="test-case-name" title={c.entry.dn}>
                    {c.name || c.entry.dn || '(unnamed case)'}
                  </span>
                  <span className="muted test-case-expects">expects {formatValue(c.expected)}</span>
                  <span className="test-case-actions">
                    <button type="button" className="small" disabled={disabled} onClick={() => setEditing(c)} aria-label={`Edit test case ${c.name}`}>
                      Edit
                    </button>
                    <button type="button" className="small" disabled={disabled} onClick={() => onDelete(c.id)} aria-label={`Delete test case ${c.name}`}>
                      Delete
                    </button>
                  </span>
                </div>
                {result && <Outcome result={result} />}
              </li>
            );
          })}
        </ul>
      )}
      {editing && (
        <TestCaseDialog
          script={script}
          initial={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSave={(c) => {
            onSave(c);
            setEditing(null);
          }}
        />
      )}
    </div>
  );
}
