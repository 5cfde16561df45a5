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
