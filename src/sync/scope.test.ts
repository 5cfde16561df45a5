/** The scope reasons kept with anchors, row by row. */
import { describe, expect, it } from 'vitest';
import type { ScopingFilter } from '../mapping/scoping/index';
import type { SourceObject } from '../source/index';
import { assignedReason, filteredScope } from './scope';

const user = (department: string): SourceObject => ({ id: 'u1', type: 'user', attributes: { department } });
const sales: ScopingFilter = { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] };

describe('assignedReason', () => {
  it.each([
    [{ direct: true, groupIds: [] }, 'assigned to service principal sp', { via: 'direct', servicePrincipalId: 'sp' }],
    [
      { direct: false, groupIds: ['g1'] },
      'assigned to service principal sp through group g1',
      { via: 'group', servicePrincipalId: 'sp', groupIds: ['g1'] },
    ],
    [
      { direct: false, groupIds: ['g1', 'g2'] },
      'assigned to service principal sp through groups g1, g2',
      { via: 'group', servicePrincipalId: 'sp', groupIds: ['g1', 'g2'] },
    ],
    [{ direct: true, groupIds: ['g1'] }, 'assigned to service principal sp', { via: 'direct', servicePrincipalId: 'sp', groupIds: ['g1'] }],
  ])('%j', (via, why, reason) => {
    expect(assignedReason('sp', via)).toEqual({ why, reason });
  });
});

describe('filteredScope', () => {
  it('lets in without a filter, with the reason it was let in by (all objects by default)', () => {
    expect(filteredScope(undefined, user('R&D'), 'the app provisions all users').reason).toEqual({
      via: 'all',
      detail: 'the app provisions all users',
    });
    const { reason } = assignedReason('sp', { direct: false, groupIds: ['g1'] });
    expect(filteredScope(undefined, user('R&D'), 'through g1', reason).reason).toEqual({ ...reason, detail: 'through g1' });
  });

  it('keeps the filter’s verdict in the reason, and says none when the filter keeps the object out', () => {
    const inside = filteredScope(sales, user('Sales'), 'the app provisions all users');
    expect(inside.inScope).toBe(true);
    expect(inside.reason).toMatchObject({ via: 'all', detail: inside.detail });
    expect(inside.reason!.detail).toMatch(/^the app provisions all users; /);
    const outside = filteredScope(sales, user('R&D'), 'the app provisions all users');
    expect(outside.inScope).toBe(false);
    expect(outside.reason).toEqual({ via: 'none', detail: outside.detail });
  });
});
