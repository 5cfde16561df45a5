import { describe, expect, it } from 'vitest';
import type { ScimResource } from '../scim/types';
import { TargetIndex } from './target-index';

const read = (r: ScimResource) => ({ userName: r.userName, externalId: r.externalId, displayName: r.displayName });

function indexOf(...resources: Partial<ScimResource>[]) {
  const index = new TargetIndex(['userName', 'externalId'], read);
  for (const r of resources) index.add({ schemas: [], ...r });
  return index;
}

describe('TargetIndex', () => {
  const index = indexOf(
    { id: '1', userName: 'Ada@Contoso.test', externalId: 'ada', displayName: 'Ada' },
    { id: '2', userName: 'bob@contoso.test', externalId: 'dup' },
    { id: '3', userName: 'carol@contoso.test', externalId: 'dup' },
    { userName: 'no-id@contoso.test' },
  );

  it.each<[string, { path: string; value: string }[], Record<string, unknown>]>([
    [
      'matches case-insensitively and returns the held values',
      [{ path: 'userName', value: 'ada@contoso.test' }],
      { kind: 'one', targetId: '1', values: { userName: 'Ada@Contoso.test', externalId: 'ada', displayName: 'Ada' } },
    ],
    ['finds nothing for an unknown value', [{ path: 'userName', value: 'zed@contoso.test' }], { kind: 'none' }],
    ['reports two accounts with one value', [{ path: 'externalId', value: 'dup' }], { kind: 'many', count: 2 }],
    [
      'tries the next matching value when the first finds nothing',
      [
        { path: 'userName', value: 'nobody' },
        { path: 'externalId', value: 'ada' },
      ],
      { kind: 'one', targetId: '1' },
    ],
    [
      'stops at the first hit',
      [
        { path: 'userName', value: 'bob@contoso.test' },
        { path: 'externalId', value: 'dup' },
      ],
      { kind: 'one', targetId: '2' },
    ],
    ['ignores paths it does not index', [{ path: 'displayName', value: 'Ada' }], { kind: 'none' }],
    ['skips resources without an id', [{ path: 'userName', value: 'no-id@contoso.test' }], { kind: 'none' }],
  ])('%s', (_name, matching, expected) => {
    expect(index.match(matching)).toMatchObject(expected);
  });

  it('counts what it holds', () => {
    expect(index.size).toBe(3);
  });
});

describe('TargetIndex kept current by scimflow’s writes', () => {
  it('finds an account put after the listing, and no longer one removed', () => {
    const index = indexOf({ id: '1', userName: 'ada@contoso.test', externalId: 'ada' });
    index.put('2', { userName: 'bob@contoso.test', externalId: 'bob', displayName: 'Bob' });
    expect(index.match([{ path: 'userName', value: 'BOB@contoso.test' }])).toMatchObject({ kind: 'one', targetId: '2' });
    index.remove('1');
    expect(index.match([{ path: 'userName', value: 'ada@contoso.test' }])).toEqual({ kind: 'none' });
    expect(index.size).toBe(1);
  });

  it('re-keys an account whose matching value an update changed', () => {
    const index = indexOf({ id: '1', userName: 'ada@contoso.test', externalId: 'ada' });
    index.put('1', { userName: 'ada.lovelace@contoso.test', externalId: 'ada' });
    expect(index.match([{ path: 'userName', value: 'ada@contoso.test' }])).toEqual({ kind: 'none' });
    expect(index.match([{ path: 'userName', value: 'ada.lovelace@contoso.test' }])).toMatchObject({ kind: 'one', targetId: '1' });
    expect(index.size).toBe(1);
  });

  it('keeps two accounts with one value apart when one of them goes', () => {
    const index = indexOf({ id: '2', externalId: 'dup' }, { id: '3', externalId: 'dup' });
    index.remove('2');
    expect(index.match([{ path: 'externalId', value: 'dup' }])).toMatchObject({ kind: 'one', targetId: '3' });
  });

  it('once compacted holds only the matching values, and says its matches are not complete', () => {
    const index = indexOf({ id: '1', userName: 'ada@contoso.test', externalId: 'ada', displayName: 'Ada' });
    expect(index.match([{ path: 'userName', value: 'ada@contoso.test' }])).toMatchObject({ complete: true });
    index.compact();
    expect(index.full).toBe(false);
    expect(index.match([{ path: 'userName', value: 'ada@contoso.test' }])).toEqual({
      kind: 'one',
      targetId: '1',
      path: 'userName',
      values: { userName: 'ada@contoso.test', externalId: 'ada' },
      complete: false,
    });
    index.put('2', { userName: 'bob@contoso.test', displayName: 'Bob' });
    expect(index.match([{ path: 'userName', value: 'bob@contoso.test' }])).toMatchObject({ values: { userName: 'bob@contoso.test' } });
  });

  it('says whether a value is held, and nothing for a path it does not index', () => {
    const index = indexOf({ id: '1', userName: 'ada@contoso.test' });
    expect(index.holds('userName', 'ADA@contoso.test')).toBe(true);
    expect(index.holds('userName', 'bob@contoso.test')).toBe(false);
    expect(index.holds('displayName', 'Ada')).toBeUndefined();
  });
});
