import { describe, expect, it } from 'vitest';
import { mergeGroupDelta, readGroupsDeltaPage, toGroupDelta } from './groups';
import type { GraphCollection, GraphReader } from './reader';

const select = ['id', 'displayName', 'description'];

/** A reader that answers every GET with `page` and records the links asked for. */
function readerOf(page: GraphCollection): GraphReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get: async <T>(link: string) => {
      asked.push(link);
      return page as T;
    },
    all: async () => page.value,
    pages: async function* () {
      yield page.value;
    },
  };
}

describe('toGroupDelta', () => {
  it('reads the documented members@delta shapes: additions, removals with @removed, and member types', () => {
    const delta = toGroupDelta(
      {
        id: 'g1',
        displayName: 'TestGroup3',
        description: 'A test group for change tracking',
        'members@delta': [
          { '@odata.type': '#microsoft.graph.user', id: 'u-removed', '@removed': { reason: 'deleted' } },
          { '@odata.type': '#microsoft.graph.user', id: 'u-added' },
          { '@odata.type': '#microsoft.graph.group', id: 'g-nested' },
          { '@odata.type': '#microsoft.graph.device', id: 'd1' },
          { id: 'u-untyped', '@removed': { reason: 'deleted' } },
        ],
      },
      select,
    );
    expect(delta).toEqual({
      id: 'g1',
      attributes: { displayName: 'TestGroup3', description: 'A test group for change tracking' },
      membersAdded: ['u-added', 'g-nested', 'd1'],
      membersRemoved: ['u-removed', 'u-untyped'],
      memberTypes: { 'g-nested': 'group', d1: 'other' },
      partial: false,
    });
  });

  it('marks a group with only some selected properties partial, and a removed group removed', () => {
    expect(toGroupDelta({ id: 'g1', 'members@delta': [{ id: 'u1' }] }, select)).toMatchObject({
      attributes: {},
      membersAdded: ['u1'],
      partial: true,
    });
    expect(toGroupDelta({ id: 'g1', '@removed': { reason: 'changed' } }, select)).toEqual({
      id: 'g1',
      attributes: {},
      removed: 'changed',
      membersAdded: [],
      membersRemoved: [],
      memberTypes: {},
      partial: false,
    });
  });
});

describe('mergeGroupDelta', () => {
  it('accumulates member changes of later appearances; the last word on a member wins', () => {
    const first = toGroupDelta(
      {
        id: 'g',
        displayName: 'G',
        description: null,
        'members@delta': [{ id: 'a' }, { id: 'b' }, { id: 'c', '@removed': { reason: 'deleted' } }],
      },
      select,
    );
    const second = toGroupDelta(
      {
        id: 'g',
        displayName: 'G',
        description: null,
        'members@delta': [
          { id: 'd', '@odata.type': '#microsoft.graph.group' },
          { id: 'b', '@removed': { reason: 'deleted' } },
        ],
      },
      select,
    );
    expect(mergeGroupDelta(first, second, select)).toEqual({
      id: 'g',
      attributes: { displayName: 'G', description: null },
      membersAdded: ['a', 'd'],
      membersRemoved: ['c', 'b'],
      memberTypes: { d: 'group' },
      partial: false,
    });
  });

  it('completes a partial group when a later appearance brings the missing properties', () => {
    const merged = mergeGroupDelta(
      toGroupDelta({ id: 'g', displayName: 'G' }, select),
      toGroupDelta({ id: 'g', description: 'x' }, select),
      select,
    );
    expect(merged).toMatchObject({ attributes: { displayName: 'G', description: 'x' }, partial: false });
  });
});

describe('readGroupsDeltaPage', () => {
  it('merges appearances of the same group within one page, in order of first appearance', async () => {
    const reader = readerOf({
      value: [
        { id: 'g1', displayName: 'Large', 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'u1' }] },
        { id: 'g2', displayName: 'Other' },
        { id: 'g1', displayName: 'Large', 'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'u2' }] },
      ],
      '@odata.nextLink': 'https://graph.example/v1.0/groups/delta?$skiptoken=x',
    });
    const page = await readGroupsDeltaPage(reader, { select: ['id', 'displayName'], pageSize: 999 });
    expect(reader.asked).toEqual(['/groups/delta?$select=id,displayName,members']);
    expect(page.nextLink).toBe('https://graph.example/v1.0/groups/delta?$skiptoken=x');
    expect(page.groups.map((g) => [g.id, g.membersAdded])).toEqual([
      ['g1', ['u1', 'u2']],
      ['g2', []],
    ]);
  });
});
