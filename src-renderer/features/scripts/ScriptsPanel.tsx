import type { ScriptName, ServerScripts } from '../../../src-shared/domain/mapping';
import type { PreviewResult } from '../../../src-shared/domain/preview';
import { ScriptHelp } from './ScriptHelp';
import { ScriptOutput } from './ScriptOutput';
import { ScriptSection } from './ScriptSection';
import { SCRIPT_ORDER } from './script-meta';
import { useScriptCheck } from './use-script-check';

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
}

/** The middle column: the Active, Org name and Role name editors, their help and the Output panel. */
export function ScriptsPanel({ scripts, onChange, preview, attributes, errors, disabled }: ScriptsPanelProps) {
  const check = useScriptCheck(scripts);
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
        />
      ))}
      {check.error && (
        <p className="field-error" data-testid="script-check-error">
          The scripts could not be checked: {check.error.message}
        </p>
      )}
      <ScriptOutput logs={preview?.logs ?? null} />
    </section>
  );
}
