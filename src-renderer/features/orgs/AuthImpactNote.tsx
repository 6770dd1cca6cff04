import { useCallback } from 'react';
import { call } from '../../api';
import type { OrgAuthImpact } from '../../../src-shared/domain/local-users';
import { ErrorBox } from '../../ui/ErrorBox';
import { useResource } from '../../ui/use-resource';

/**
 * What changing an organization's authentication to `authServerId` (null: local) means for its
 * users' sign-in, asked of main while the admin chooses and shown before they save.
 */
export function AuthImpactNote({ orgId, authServerId }: { orgId: string; authServerId: string | null }) {
  const load = useCallback(() => call('orgs.authImpact', { id: orgId, authServerId }), [orgId, authServerId]);
  const impact = useResource<OrgAuthImpact>(load, `${orgId}:${authServerId ?? 'local'}`);
  if (impact.error) return <ErrorBox error={impact.error} lead="Could not tell what this changes:" />;
  if (!impact.data) return <p className="muted">Checking what this changes for its users…</p>;
  const warn = impact.data.users > 0;
  return (
    <p className={warn ? 'notice warning-text auth-impact' : 'notice auth-impact'} role="status" data-testid="org-auth-impact">
      {impact.data.message}
    </p>
  );
}
