import type { AttributeMapping } from '../../../src-shared/domain/mapping';
import { Field, CodeInput } from './Field';
import type { ServerForm } from './use-server-form';

const MAPPED: { key: keyof AttributeMapping; id: string; label: string; placeholder: string }[] = [
  { key: 'email', id: 'mapping-email', label: 'Email attribute', placeholder: 'mail' },
  { key: 'firstName', id: 'mapping-first-name', label: 'First name attribute', placeholder: 'givenName' },
  { key: 'lastName', id: 'mapping-last-name', label: 'Last name attribute', placeholder: 'sn' },
];

/** Props of {@link MappingFields}. */
export interface MappingFieldsProps {
  form: ServerForm;
  /** Attribute names seen in the current preview results, offered in the pickers. */
  attributes: readonly string[];
  /** A few values of each attribute seen in the preview, shown next to its name in the pickers. */
  samples?: Readonly<Record<string, readonly string[]>>;
}

/** The sample values of attribute `name` (names compare ignoring case), or none. */
function samplesOf(samples: MappingFieldsProps['samples'], name: string): readonly string[] {
  if (!samples || !name.trim()) return [];
  const lower = name.trim().toLowerCase();
  for (const [k, v] of Object.entries(samples)) if (k.toLowerCase() === lower) return v;
  return [];
}

/** A mapping field's help: how to pick (email), then the chosen attribute's values in the preview. */
function mappingHelp(key: keyof AttributeMapping, id: string, seen: readonly string[]) {
  const how = key === 'email' ? 'Pick an attribute seen in the preview, or type any name; leave empty to map nothing.' : null;
  if (!how && seen.length === 0) return undefined;
  return (
    <>
      {how}
      {how && seen.length > 0 && ' '}
      {seen.length > 0 && (
        <span className="mapping-samples" data-testid={`${id}-samples`} title={seen.join('\n')}>
          In the preview: {seen.join(' · ')}
        </span>
      )}
    </>
  );
}

/**
 * The Attribute mapping section: the username attribute (read-only, from the search filter) and the
 * attributes that fill email, first name and last name, picked from the names seen in the preview (with
 * sample values from the entries seen) or typed.
 */
export function MappingFields({ form, attributes, samples }: MappingFieldsProps) {
  const { draft, errors } = form;
  return (
    <section className="mapping" aria-labelledby="mapping-heading">
      <h3 id="mapping-heading">Attribute mapping</h3>
      <datalist id="mapping-attribute-names">
        {attributes.map((name) => (
          <option key={name} value={name} label={samplesOf(samples, name).join(' · ') || undefined} />
        ))}
      </datalist>
      <div className="server-fields">
        <Field id="mapping-username" label="Username" help="Taken from the search filter; a multi-valued attribute such as mail gives one user per value.">
          {(a11y) => (
            <input
              {...a11y}
              type="text"
              readOnly
              className="mono"
              value={form.usernameAttribute ?? ''}
              placeholder="(set by the search filter's (attr=?) part)"
              data-testid="mapping-username"
            />
          )}
        </Field>
        {MAPPED.map(({ key, id, label, placeholder }) => (
          <Field
            key={key}
            id={id}
            label={label}
            error={errors[`mapping.${key}`]}
            help={mappingHelp(key, id, samplesOf(samples, draft.mapping[key]))}
          >
            {(a11y) => (
              <CodeInput
                {...a11y}
                list="mapping-attribute-names"
                placeholder={placeholder}
                value={draft.mapping[key]}
                onChange={(e) => form.setMapping(key, e.target.value)}
                onBlur={() => form.touch(`mapping.${key}`)}
              />
            )}
          </Field>
        ))}
      </div>
    </section>
  );
}
