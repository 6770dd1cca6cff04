import type { ScriptName, ServerScripts } from '../../../src-shared/domain/mapping';
import type { PreviewResult } from '../../../src-shared/domain/preview';
import type { ScriptTestCase } from '../../../src-shared/domain/script-tests';
import { ScriptHelp } from './ScriptHelp';
import { ScriptOutput } from './ScriptOutput';
import { ScriptSection } from './ScriptSection';
import { SCRIPT_ORDER } from './script-meta';
import { useScriptCheck } from './use-script-check';
import { useScriptTests } from './use-script-tests';

/** Props of {@link ScriptsPanel}. */
export interface ScriptsPanelProps {
  scripts: ServerScripts;
  onChange: (name: ScriptName, source: string | null) => void;
  /** The latest preview page (costs and console output), or null. */
  preview: PreviewResult | null;
  /** Attribute names seen in the preview, for `entry.` completion. */
  attributes: readonly string[];
  /** Problems main reported on save, by script. */
  errors: Partial<Record<ScriptName, string>>;
  disabled?: boolean;
  /** The form's test cases (every script's), run on every edit. */
  tests: readonly ScriptTestCase[];
  onTestsChange: (update: (cases: ScriptTestCase[]) => ScriptTestCase[]) => void;
  /** A problem main reported with the test cases on save. */
  testsError?: string;
}

/**
 * The scripts part of a server's page: the Active, Org name and Role name editors with their test
 * cases, their help and the Output panel.
 */
export function ScriptsPanel({ scripts, onChange, preview, attributes, errors, disabled, tests, onTestsChange, testsError }: ScriptsPanelProps) {
  const check = useScriptCheck(scripts);
  const run = useScriptTests(scripts, tests);
  const saveCase = (testCase: ScriptTestCase) =>
    onTestsChange((list) => (list.some((c) => c.id === testCase.id) ? list.map((c) => (c.id === testCase.id ? testCase : c)) : [...list, testCase]));
  const deleteCase = (id: string) => onTestsChange((list) => list.filter((c) => c.id !== id));
  return (
    <section className="scripts-pane" aria-labelledby="scripts-heading">
      <h3 id="scripts-heading">Scripts</h3>
      <ScriptHelp />
      {SCRIPT_ORDER.map((name) => (
        <ScriptSection
          key={name}
          name={name}
          source={scripts[name]}
          onChange={(source) => onChange(name, source)}
          diagnostics={check.diagnostics[name]}
          cost={preview?.costs[name] ?? null}
          attributes={attributes}
          error={errors[name]}
          disabled={disabled}
          tests={{ cases: tests.filter((c) => c.script === name), results: run.results, running: run.running, onSave: saveCase, onDelete: deleteCase }}
        />
      ))}
      {run.error && (
        <p className="field-error" data-testid="script-tests-error">
          The test cases could not run: {run.error.message}
        </p>
      )}
      {testsError && <p className="field-error">{testsError}</p>}
      {check.error && (
        <p className="field-error" data-testid="script-check-error">
          The scripts could not be checked: {check.error.message}
        </p>
      )}
      <ScriptOutput logs={preview?.logs ?? null} />
    </section>
  );
}
