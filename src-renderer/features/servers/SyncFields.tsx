import type { OrganizationView } from '../../../src-shared/domain/directory';
import { useOrgs } from '../orgs/use-orgs';
import { Field, Switch } from './Field';
import type { ServerForm } from './use-server-form';

/** Why an organization cannot receive this server's new users, or null when it can. */
function ineligibleReason(org: OrganizationView, serverId: string | undefined): string | null {
  if (org.auth.kind === 'local') return 'signs in locally';
  if (org.auth.serverId !== serverId) return `signs in with ${org.auth.serverName}`;
  return null;
}

/**
 * The server's Sync section: whether a sync creates users for matching entries that have none, and
 * the organization new users go to when no Org name script places them.
 */
export function SyncFields({ form }: { form: ServerForm }) {
  const { draft, errors } = form;
  const serverId = form.saved?.id;
  const orgs = useOrgs();
  const list = orgs.data ?? [];
  const eligible = list.filter((o) => ineligibleReason(o, serverId) === null);
  const selected = draft.defaultOrgId ? list.find((o) => o.id === draft.defaultOrgId) : undefined;
  const selectedReason = selected ? ineligibleReason(selected, serverId) : null;

  let orgHelp: string;
  if (!serverId) orgHelp = 'Save this server first, then create an organization that signs in with it (Organizations screen).';
  else if (orgs.data && eligible.length === 0) orgHelp = 'No organization signs in with this server yet: create one on the Organizations screen, with authentication set to this server.';
  else orgHelp = 'Only organizations that sign in with this server can receive its users. Used when no Org name script places a new user.';

  let warning: string | null = null;
  if (draft.defaultOrgId && orgs.data && !selected) warning = 'This organization no longer exists. Choose another one.';
  else if (selected && selectedReason) warning = `${selected.name} ${selectedReason}, not with this server: its users would not be managed by this server's sync.`;
  else if (draft.createUsers && !draft.defaultOrgId && draft.scripts.orgName === null) warning = 'New users need an organization: choose a default organization, or add an Org name script.';

  return (
    <section className="mapping server-sync" aria-labelledby="server-sync-heading">
      <h3 id="server-sync-heading">Sync</h3>
      <p className="field-help">
        LDAP integration does not create users by default: a sync updates, deactivates and reactivates the users that already exist in this server's
        organizations.
      </p>
      <div className="server-fields">
        <Switch
          id="server-create-users"
          label="Create users for matching entries that have none"
          checked={draft.createUsers}
          error={errors.createUsers}
          help="Each entry the search filter matches and that has no user yet becomes a new, active user."
          onChange={(checked) => form.setField('createUsers', checked)}
        />
        <Field
          id="server-default-org"
          label="Default organization for new users"
          error={errors.defaultOrgId ?? (orgs.error ? `Could not load organizations: ${orgs.error.message}` : undefined)}
          help={orgHelp}
          extra={
            warning && (
              <p className="field-warning" data-testid="default-org-warning">
                {warning}
              </p>
            )
          }
        >
          {(a11y) => (
            <select
              {...a11y}
              value={draft.defaultOrgId ?? ''}
              onChange={(e) => form.setField('defaultOrgId', e.target.value === '' ? null : e.target.value)}
              onFocus={() => void orgs.reload()}
            >
              <option value="">(none)</option>
              {draft.defaultOrgId && orgs.data && !selected && <option value={draft.defaultOrgId}>(deleted organization)</option>}
              {list.map((o) => {
                const reason = ineligibleReason(o, serverId);
                return (
                  <option key={o.id} value={o.id} disabled={reason !== null && o.id !== draft.defaultOrgId}>
                    {reason ? `${o.name} (${reason})` : o.name}
                  </option>
                );
              })}
            </select>
          )}
        </Field>
      </div>
    </section>
  );
}
