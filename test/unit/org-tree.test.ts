import { describe, expect, it } from 'vitest';
import type { OrganizationView } from '../../src-shared/domain/directory';
import { orgTree } from '../../src-renderer/features/orgs/org-tree';

// The Organizations screen's tree order: parents before children, siblings by name.

const org = (id: string, name: string, parentId: string | null = null): OrganizationView => ({
  id,
  name,
  parentId,
  parentName: null,
  auth: { kind: 'local' },
  registrationKey: 'k',
  users: 0,
  activeUsers: 0,
  createdAt: '',
  updatedAt: '',
});

const shape = (rows: ReturnType<typeof orgTree>) => rows.map((r) => `${'  '.repeat(r.depth)}${r.org.name}${r.contextOnly ? ' (context)' : ''}`);

describe('organization tree', () => {
  const orgs = [org('b', 'beta'), org('a', 'Alpha'), org('a2', 'Sales', 'a'), org('a1', 'Engineering', 'a'), org('a1x', 'Platform', 'a1')];

  it('lists parents before their children, siblings by name ignoring case, with depths', () => {
    expect(shape(orgTree(orgs, new Set()))).toEqual(['Alpha', '  Engineering', '    Platform', '  Sales', 'beta']);
    expect(orgTree(orgs, new Set()).find((r) => r.org.id === 'a1')?.hasChildren).toBe(true);
  });

  it('leaves out the whole branch below a collapsed organization', () => {
    expect(shape(orgTree(orgs, new Set(['a'])))).toEqual(['Alpha', 'beta']);
  });

  it('keeps the matches of a search and their parents as context, expanded', () => {
    expect(shape(orgTree(orgs, new Set(['a']), (o) => o.name === 'Platform'))).toEqual(['Alpha (context)', '  Engineering (context)', '    Platform']);
  });

  it('shows an organization whose parent is gone, or caught in a cycle, at the top level instead of losing it', () => {
    const odd = [org('x', 'Orphan', 'missing'), org('p', 'Ping', 'q'), org('q', 'Pong', 'p')];
    expect(shape(orgTree(odd, new Set())).sort()).toEqual(['Orphan', 'Ping', 'Pong']);
  });
});
