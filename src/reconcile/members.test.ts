import { describe, expect, it } from 'vitest';
import { memberChanges, memberIdsOf, memberPatches } from './members';

describe('memberChanges', () => {
  it('adds what is wanted and missing, removes what is held and unwanted', () => {
    expect(memberChanges(['a', 'b', 'c'], ['c', 'd'])).toEqual({ add: ['a', 'b'], remove: ['d'] });
    expect(memberChanges([], [])).toEqual({ add: [], remove: [] });
    expect(memberChanges(['a'], ['a'])).toEqual({ add: [], remove: [] });
  });
});

describe('memberPatches', () => {
  it('chunks changes by the per-request limit, removals first, additions in the room left', () => {
    const requests = memberPatches({ add: ['a1', 'a2', 'a3'], remove: ['r1', 'r2', 'r3'] }, 2);
    expect(requests).toEqual([
      [
        { op: 'remove', path: 'members[value eq "r1"]' },
        { op: 'remove', path: 'members[value eq "r2"]' },
      ],
      [
        { op: 'remove', path: 'members[value eq "r3"]' },
        { op: 'add', path: 'members', value: [{ value: 'a1' }] },
      ],
      [{ op: 'add', path: 'members', value: [{ value: 'a2' }, { value: 'a3' }] }],
    ]);
    // A small change in both directions is one request.
    expect(memberPatches({ add: ['a'], remove: ['r'] }, 100)).toEqual([
      [
        { op: 'remove', path: 'members[value eq "r"]' },
        { op: 'add', path: 'members', value: [{ value: 'a' }] },
      ],
    ]);
  });

  it('sends nothing for no change and escapes quotes in ids', () => {
    expect(memberPatches({ add: [], remove: [] }, 100)).toEqual([]);
    expect(memberPatches({ add: [], remove: ['a"b\\c'] }, 100)).toEqual([[{ op: 'remove', path: 'members[value eq "a\\"b\\\\c"]' }]]);
  });

  it('keeps every member of a large group, each once', () => {
    const add = Array.from({ length: 25_001 }, (_, i) => `u${i}`);
    const requests = memberPatches({ add, remove: [] }, 100);
    expect(requests).toHaveLength(251);
    const sent = requests.flatMap((ops) => ops.flatMap((op) => (op.value as { value: string }[]).map((m) => m.value)));
    expect(sent).toEqual(add);
  });

  it('treats a limit below one as one', () => {
    expect(memberPatches({ add: ['a', 'b'], remove: [] }, 0)).toHaveLength(2);
  });
});

describe('memberIdsOf', () => {
  it('reads member values and ignores malformed entries', () => {
    expect(memberIdsOf({ members: [{ value: 'a' }, { display: 'x' }, null, 'b', { value: 'c', $ref: '/Users/c' }] })).toEqual(['a', 'c']);
    expect(memberIdsOf({})).toEqual([]);
  });
});
