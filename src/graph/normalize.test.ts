import { describe, expect, it } from 'vitest';
import { memberType, toSourceGroup, toSourceUser } from './normalize';

describe('toSourceUser', () => {
  it('keeps every property but id and annotations, null included', () => {
    expect(
      toSourceUser({
        '@odata.type': '#microsoft.graph.user',
        id: 'u1',
        accountEnabled: false,
        mail: null,
        businessPhones: [],
        'manager@delta': [{ id: 'm1' }],
      }),
    ).toEqual({ id: 'u1', type: 'user', attributes: { accountEnabled: false, mail: null, businessPhones: [], manager: 'm1' } });
  });

  it('reads the manager as its object id, from delta rounds and from $expand', () => {
    const select = ['accountEnabled', 'manager'];
    expect(
      toSourceUser({ id: 'u1', accountEnabled: true, 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'm2' }] }, select)
        .attributes.manager,
    ).toBe('m2');
    // A removed manager, and a whole object without one, have none.
    expect(
      toSourceUser({ id: 'u1', accountEnabled: true, 'manager@delta': [{ id: 'm2', '@removed': { reason: 'deleted' } }] }, select)
        .attributes.manager,
    ).toBeNull();
    expect(toSourceUser({ id: 'u1', accountEnabled: true }, select).attributes.manager).toBeNull();
    expect(
      toSourceUser({ id: 'u1', accountEnabled: true, manager: { '@odata.type': '#microsoft.graph.user', id: 'm3' } }, select).attributes
        .manager,
    ).toBe('m3');
    // A changed-properties-only object says nothing of an unchanged manager, and is not partial for lacking it alone.
    const partial = toSourceUser({ id: 'u1', 'manager@delta': [{ id: 'm4' }] }, select);
    expect(partial).toMatchObject({ partial: true, attributes: { manager: 'm4' } });
    expect(toSourceUser({ id: 'u1', accountEnabled: false }, select).partial).toBeUndefined();
    expect('manager' in toSourceUser({ id: 'u1' }, select).attributes).toBe(false);
  });

  it.each([
    ['changed', 'changed'],
    ['deleted', 'deleted'],
    ['somethingNew', 'changed'],
  ] as const)('maps @removed reason %s to removed %s without attributes', (reason, removed) => {
    expect(toSourceUser({ id: 'u1', '@removed': { reason } }, ['id', 'mail'])).toEqual({ id: 'u1', type: 'user', attributes: {}, removed });
  });

  it('marks objects lacking a selected property as partial', () => {
    expect(toSourceUser({ id: 'u1', mail: null }, ['id', 'accountEnabled', 'mail'])).toMatchObject({ partial: true });
    expect(toSourceUser({ id: 'u1', accountEnabled: true, mail: null }, ['id', 'accountEnabled', 'mail']).partial).toBeUndefined();
    expect(toSourceUser({ id: 'u1' }).partial).toBeUndefined();
  });

  it('refuses an object without an id', () => {
    expect(() => toSourceUser({ mail: 'x' })).toThrow(TypeError);
  });
});

describe('toSourceGroup', () => {
  it('keeps properties but not relationships, and ignores members in the selection', () => {
    expect(
      toSourceGroup({ id: 'g1', displayName: 'Sales', description: null, 'members@delta': [{ id: 'u1' }] }, [
        'id',
        'displayName',
        'description',
        'members',
      ]),
    ).toEqual({
      id: 'g1',
      type: 'group',
      attributes: { displayName: 'Sales', description: null },
    });
  });

  it('marks a group lacking a selected property partial, and maps @removed', () => {
    expect(toSourceGroup({ id: 'g1', 'members@delta': [] }, ['id', 'displayName', 'members'])).toMatchObject({ partial: true });
    expect(toSourceGroup({ id: 'g1', '@removed': { reason: 'deleted' } })).toEqual({
      id: 'g1',
      type: 'group',
      attributes: {},
      removed: 'deleted',
    });
  });
});

describe('memberType', () => {
  it.each([
    ['#microsoft.graph.user', 'user'],
    ['#microsoft.graph.group', 'group'],
    ['#microsoft.graph.device', 'other'],
    ['#microsoft.graph.servicePrincipal', 'other'],
    [undefined, 'user'],
  ] as const)('%s → %s', (odataType, type) => {
    expect(memberType(odataType)).toBe(type);
  });
});
