import { useState } from 'react';
import { presetOfDraft, SERVER_PRESET_IDS, SERVER_PRESETS, type ServerPresetId } from '../../../src-shared/domain/presets';
import type { ServerForm } from './use-server-form';

/**
 * "Start from a preset": Active Directory or OpenLDAP fills the search filter, the attribute mapping
 * and the Active script (the URL and the bind stay). The preset the form matches is shown pressed;
 * Discard changes undoes a fill.
 */
export function PresetPicker({ form }: { form: ServerForm }) {
  const current = presetOfDraft(form.draft);
  const [filled, setFilled] = useState<ServerPresetId | null>(null);
  return (
    <div className="field preset-picker" role="group" aria-labelledby="server-preset-label" data-testid="preset-picker">
      <span id="server-preset-label" className="field-label">
        Start from a preset
      </span>
      <div className="toolbar">
        {SERVER_PRESET_IDS.map((id) => (
          <button
            key={id}
            type="button"
            className="small"
            aria-pressed={current === id}
            title={SERVER_PRESETS[id].summary}
            onClick={() => {
              form.applyPreset(id);
              setFilled(id);
            }}
          >
            {SERVER_PRESETS[id].label}
          </button>
        ))}
      </div>
      <p className="field-help" role={filled ? 'status' : undefined} data-testid="preset-help">
        {filled && current === filled
          ? `Filled for ${SERVER_PRESETS[filled].label}: the search filter, the mapping and the Active script. ${SERVER_PRESETS[filled].summary} Discard changes undoes it.`
          : 'Fills the search filter, the attribute mapping and the Active script for the directory; the URL and the bind stay as they are.'}
      </p>
    </div>
  );
}
