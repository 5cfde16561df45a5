import { describe, expect, it } from 'vitest';
import { toSourceUser } from './normalize';

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
    ).toEqual({ id: 'u1', type: 'user', attributes: { accountEnabled: false, mail: null, businessPhones: [], 'manager@delta': [{ id: 'm1' }] } });
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
