/** The in-memory directory answers delta rounds as Graph does: pages, next and delta links, partial objects and member changes. */
import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from './memory-directory';

describe('the memory directory', () => {
  it('lists every user in a first round, page by page, and then only what changed', async () => {
    const directory = new MemoryDirectory(2);
    for (const id of ['u1', 'u2', 'u3', 'u4']) directory.addUser(id, { userPrincipalName: `${id}@x.test`, displayName: id });
    directory.removeUser('u3');

    const first = await directory.readUsersDelta();
    expect(first.objects.map((o) => o.id)).toEqual(['u1', 'u2']);
    expect(first).not.toHaveProperty('deltaLink');
    const last = await directory.readUsersDelta(first.nextLink);
    expect(last.objects.map((o) => o.id)).toEqual(['u4']);
    expect(last).not.toHaveProperty('nextLink');
    // A link read again gives the same page.
    expect(await directory.readUsersDelta(first.nextLink)).toEqual(last);

    directory.updateUser('u1', { displayName: 'One' });
    directory.removeUser('u2', 'deleted');
    directory.addUser('u5', { userPrincipalName: 'u5@x.test' });
    const changes = await directory.readUsersDelta(last.deltaLink);
    const rest = await directory.readUsersDelta(changes.nextLink);
    expect([...changes.objects, ...rest.objects]).toEqual([
      { id: 'u1', type: 'user', attributes: { displayName: 'One' }, partial: true },
      { id: 'u2', type: 'user', attributes: {}, removed: 'deleted' },
      { id: 'u5', type: 'user', attributes: { accountEnabled: true, userPrincipalName: 'u5@x.test' } },
    ]);
    expect(rest.deltaLink).toBeDefined();
    expect(await directory.getUsers(['u1', 'u2', 'u9'])).toMatchObject([
      { id: 'u1', attributes: { displayName: 'One', userPrincipalName: 'u1@x.test' } },
    ]);
  });

  it('reports groups with their members, then their member changes', async () => {
    const directory = new MemoryDirectory();
    directory.addGroup('g1', { displayName: 'G1' }, ['u1', 'u2']);
    directory.addGroup('g2', { displayName: 'G2' }, ['g1']);
    directory.removeMembers('g1', ['u2']);

    const first = await directory.readGroupsDelta();
    expect(first.groups).toEqual([
      { id: 'g1', attributes: { displayName: 'G1' }, membersAdded: ['u1'], membersRemoved: [], memberTypes: {}, partial: false },
      {
        id: 'g2',
        attributes: { displayName: 'G2' },
        membersAdded: ['g1'],
        membersRemoved: [],
        memberTypes: { g1: 'group' },
        partial: false,
      },
    ]);

    directory.addMembers('g1', ['u3']);
    directory.removeMembers('g1', ['u1']);
    const changes = await directory.readGroupsDelta(first.deltaLink);
    expect(changes.groups).toEqual([
      { id: 'g1', attributes: {}, membersAdded: ['u3'], membersRemoved: ['u1'], memberTypes: {}, partial: true },
    ]);

    const transitive = [];
    for await (const page of directory.readGroupMembers('g2', { transitive: true })) transitive.push(...page);
    expect(transitive).toEqual([
      { id: 'g1', type: 'group' },
      { id: 'u3', type: 'user' },
    ]);
  });

  it('answers assignments directly and through groups', async () => {
    const directory = new MemoryDirectory();
    for (const id of ['u1', 'u2', 'u3']) directory.addUser(id, {});
    directory.addGroup('g1', { displayName: 'G1' }, ['u2']);
    directory.assign('u1', 'g1');
    expect(await directory.assignedUsers()).toEqual(
      new Map([
        ['u1', { direct: true, groupIds: [] }],
        ['u2', { direct: false, groupIds: ['g1'] }],
      ]),
    );
    expect(await directory.assignedPrincipals()).toEqual({ userIds: new Set(['u1']), groupIds: new Set(['g1']) });
  });
});
