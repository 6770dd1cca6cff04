import { useId, useState, type ReactNode } from 'react';
import type { ScriptName } from '../../../src-shared/domain/mapping';
import type { ScriptTestCase } from '../../../src-shared/domain/script-tests';
import { Dialog } from '../../ui/Dialog';
import { DialogButtons } from '../../ui/DialogButtons';
import { newId } from '../../ui/new-id';
import { SCRIPT_META } from './script-meta';
import { attributesToText, groupsToText, parseAttributesText, parseGroupsText, parseRoles } from './test-case-model';

/** Props of {@link TestCaseDialog}. */
export interface TestCaseDialogProps {
  script: ScriptName;
  /** The case to edit, or null for a new one. */
  initial: ScriptTestCase | null;
  onSave: (testCase: ScriptTestCase) => void;
  onClose: () => void;
}

const SAMPLE_ATTRIBUTES = 'uid: jsmith\nmail: jsmith@example.com\nemployeeType: staff';

/**
 * Adds or edits one test case by hand: a name, the entry (DN and `name: value` attribute lines) and what
 * the script should return: Active true or false, an organization name or none, a list of role names.
 */
export function TestCaseDialog({ script, initial, onSave, onClose }: TestCaseDialogProps) {
  const meta = SCRIPT_META[script];
  const [name, setName] = useState(initial?.name ?? '');
  const [dn, setDn] = useState(initial?.entry.dn ?? '');
  const [attributes, setAttributes] = useState(initial ? attributesToText(initial.entry.attributes) : '');
  const [groups, setGroups] = useState(groupsToText(initial?.entry.groups));
  const [active, setActive] = useState(initial ? initial.expected === true : true);
  const [org, setOrg] = useState(typeof initial?.expected === 'string' ? initial.expected : '');
  const [noOrg, setNoOrg] = useState(initial?.script === 'orgName' && initial.expected === null);
  const [roles, setRoles] = useState(Array.isArray(initial?.expected) ? initial.expected.join(', ') : '');
  const [problem, setProblem] = useState<string | null>(null);
  const ids = { name: useId(), dn: useId(), attrs: useId(), attrsHelp: useId(), groups: useId(), groupsHelp: useId(), expected: useId(), problem: useId() };

  const save = () => {
    const parsed = parseAttributesText(attributes);
    if (!parsed.ok) {
      setProblem(parsed.message);
      return;
    }
    const parsedGroups = parseGroupsText(groups);
    if (!parsedGroups.ok) {
      setProblem(parsedGroups.message);
      return;
    }
    if (script === 'orgName' && !noOrg && org.trim() === '') {
      setProblem('Enter the organization the script should return, or tick “No organization”.');
      return;
    }
    const expected = script === 'active' ? active : script === 'orgName' ? (noOrg ? null : org.trim()) : parseRoles(roles);
    const entry = { dn: dn.trim(), attributes: parsed.attributes, ...(parsedGroups.groups.length ? { groups: parsedGroups.groups } : {}) };
    onSave({ id: initial?.id ?? newId(), script, name: name.trim(), entry, expected });
  };

  return (
    <Dialog
      title={`${initial ? 'Edit' : 'Add'} ${meta.short} test case`}
      testId="test-case-dialog"
      className="dialog-form"
      onClose={onClose}
      actions={<DialogButtons onCancel={onClose} onConfirm={save} confirmLabel={initial ? 'Save case' : 'Add case'} />}
    >
      <form
        className="server-fields"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <div className="field">
          <label htmlFor={ids.name} className="field-label">
            Name
          </label>
          <input id={ids.name} type="text" autoComplete="off" maxLength={200} value={name} placeholder="e.g. terminated staff lose access" onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={ids.dn} className="field-label">
            DN
          </label>
          <input id={ids.dn} type="text" className="mono" autoComplete="off" spellCheck={false} maxLength={4096} value={dn} placeholder="uid=jsmith,ou=people,dc=example,dc=com" onChange={(e) => setDn(e.target.value)} />
        </div>
        <TextAreaField
          id={ids.attrs}
          helpId={ids.attrsHelp}
          label="Attributes"
          rows={8}
          value={attributes}
          placeholder={SAMPLE_ATTRIBUTES}
          invalid={problem?.startsWith('Line') === true}
          onChange={(text) => {
            setAttributes(text);
            setProblem(null);
          }}
          help={
            <>
              One value per line as <code>name: value</code>; repeat a name for several values. Binary values are base64.
            </>
          }
        />
        <TextAreaField
          id={ids.groups}
          helpId={ids.groupsHelp}
          label="Groups"
          rows={3}
          value={groups}
          placeholder="cn=staff,ou=groups,dc=example,dc=com"
          invalid={problem?.startsWith('Groups') === true}
          onChange={(text) => {
            setGroups(text);
            setProblem(null);
          }}
          help={
            <>
              The groups the entry is in, direct and nested, one DN per line: what <code>groups.isMember</code>, <code>groups.of</code> and <code>groups.names</code> see. Empty: in no group.
            </>
          }
        />
        <div className="field" role="group" aria-labelledby={ids.expected}>
          <span id={ids.expected} className="field-label">
            Expected result
          </span>
          {script === 'active' && (
            <div className="radio-row">
              <label className="radio-row">
                <input type="radio" name="expected-active" checked={active} onChange={() => setActive(true)} /> true (active)
              </label>
              <label className="radio-row">
                <input type="radio" name="expected-active" checked={!active} onChange={() => setActive(false)} /> false (deactivated)
              </label>
            </div>
          )}
          {script === 'orgName' && (
            <>
              <input type="text" aria-label="Expected organization" autoComplete="off" maxLength={200} value={org} disabled={noOrg} placeholder="Organization name" onChange={(e) => setOrg(e.target.value)} />
              <label className="radio-row">
                <input type="checkbox" checked={noOrg} onChange={(e) => setNoOrg(e.target.checked)} /> No organization (the script returns none)
              </label>
              <p className="field-help">Names compare ignoring case and surrounding spaces, as the sync matches them.</p>
            </>
          )}
          {script === 'roleName' && (
            <>
              <input type="text" aria-label="Expected roles" autoComplete="off" value={roles} placeholder="Desktop User, Org Admin" onChange={(e) => setRoles(e.target.value)} />
              <p className="field-help">Comma-separated role names, in any order; empty for no role.</p>
            </>
          )}
        </div>
      </form>
      {problem && (
        <p id={ids.problem} role="alert" className="field-error" data-testid="test-case-problem">
          {problem}
        </p>
      )}
    </Dialog>
  );
}

/** A labelled monospace text area with its help line under it (the entry's attributes, its groups). */
function TextAreaField(p: { id: string; helpId: string; label: string; rows: number; value: string; placeholder: string; invalid: boolean; onChange: (text: string) => void; help: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={p.id} className="field-label">
        {p.label}
      </label>
      <textarea
        id={p.id}
        className="mono"
        rows={p.rows}
        spellCheck={false}
        value={p.value}
        placeholder={p.placeholder}
        aria-describedby={p.helpId}
        aria-invalid={p.invalid ? true : undefined}
        onChange={(e) => p.onChange(e.target.value)}
      />
      <p id={p.helpId} className="field-help">
        {p.help}
      </p>
    </div>
  );
}
