import { afterEach, describe, expect, it } from 'vitest';
import { createGraphSource, mergeGroupDelta, type GraphSource, type GroupDelta, type GroupMember } from '../../src/graph/index';
import { ProvisioningError } from '../../src/errors/index';
import { startFakeGraph, type FakeGraph, type FakeGraphOptions } from '../fakes/graph/index';

let fake: FakeGraph;
let source: GraphSource;

async function start(options: FakeGraphOptions = {}): Promise<void> {
  fake = await startFakeGraph(options);
  source = createGraphSource(fake.sourceConfig(), fake.clientSecret, { groupSelect: ['description'] });
}
afterEach(async () => {
  await fake.close();
});

interface Round {
  /** Every group of the round, its appearances on all pages merged. */
  groups: Map<string, GroupDelta>;
  /** Per group id: on how many pages it appeared, and how many member items those carried. */
  appearances: Map<string, { pages: number; members: number }>;
  pages: number;
  deltaLink: string;
}

/** Reads a whole groups delta round from `link`, merging each group's appearances as a cycle does. */
async function round(link?: string): Promise<Round> {
  const result: Round = { groups: new Map(), appearances: new Map(), pages: 0, deltaLink: '' };
  let next: string | undefined = link;
  do {
    const page = await source.readGroupsDelta(next);
    result.pages++;
    expect(new Set(page.groups.map((g) => g.id)).size, 'each group once per page').toBe(page.groups.length);
    for (const group of page.groups) {
      const seen = result.appearances.get(group.id) ?? { pages: 0, members: 0 };
      seen.pages++;
      seen.members += group.membersAdded.length + group.membersRemoved.length;
      result.appearances.set(group.id, seen);
      const merged = result.groups.get(group.id);
      result.groups.set(group.id, merged ? mergeGroupDelta(merged, group, ['id', 'displayName', 'description']) : group);
    }
    if (page.nextLink) expect(page.deltaLink).toBeUndefined();
    else result.deltaLink = page.deltaLink!;
    next = page.nextLink;
  } while (next);
  expect(result.deltaLink).toMatch(/\/groups\/delta\?\$deltatoken=/);
  return result;
}

function addUsers(count: number, prefix = 'u'): string[] {
  return Array.from({ length: count }, (_, i) => fake.addUser({ id: `${prefix}-${i}`, displayName: `${prefix} ${i}` }).id);
}

async function allMembers(groupId: string, transitive = false): Promise<{ members: GroupMember[]; pages: number }> {
  const members: GroupMember[] = [];
  let pages = 0;
  for await (const page of source.readGroupMembers(groupId, { transitive })) {
    pages++;
    members.push(...page);
  }
  return { members, pages };
}

function graphCalls(): string[] {
  return fake.requests.filter((r) => r.path.startsWith('/v1.0/')).map((r) => r.path);
}

describe('readGroupsDelta', () => {
  it('reads every group with all members on the first round, a large group spread over pages and each member seen once', async () => {
    await start({ deltaMembersPerPage: 1000 });
    const users = addUsers(2500);
    const large = fake.addGroup({ displayName: 'Everyone', description: 'all staff' }).id;
    fake.addMembers(large, users);
    const small = fake.addGroup({ displayName: 'Sales' }).id;
    fake.addMembers(small, [users[0]!, users[1]!]);
    const empty = fake.addGroup({ displayName: 'Nobody' }).id;

    const first = await round();
    expect(graphCalls()[0]).toBe('/v1.0/groups/delta?$select=id,displayName,description,members');
    expect(first.pages).toBeGreaterThanOrEqual(3);
    expect(first.appearances.get(large)).toEqual({ pages: 3, members: 2500 });
    const everyone = first.groups.get(large)!;
    expect(everyone.membersAdded).toHaveLength(2500);
    expect(new Set(everyone.membersAdded)).toEqual(new Set(users));
    expect(everyone).toMatchObject({
      attributes: { displayName: 'Everyone', description: 'all staff' },
      membersRemoved: [],
      memberTypes: {},
      partial: false,
    });
    expect(first.groups.get(small)).toEqual({
      id: small,
      attributes: { displayName: 'Sales', description: null },
      membersAdded: [users[0], users[1]],
      membersRemoved: [],
      memberTypes: {},
      partial: false,
    });
    expect(first.groups.get(empty)).toMatchObject({ attributes: { displayName: 'Nobody' }, membersAdded: [] });
    expect(first.groups.size).toBe(3);
  });

  it('reports only the changes on the next round: added and removed members, a renamed group', async () => {
    await start({ pageSize: 2 });
    const users = addUsers(6);
    const [team, renamed, untouched] = ['Team', 'Old name', 'Untouched'].map(
      (displayName) => fake.addGroup({ displayName, description: 'd' }).id,
    );
    fake.addMembers(team!, users.slice(0, 4));
    fake.addMembers(untouched!, users.slice(0, 2));
    const first = await round();
    expect(first.groups.get(team!)!.membersAdded).toEqual(users.slice(0, 4));

    const joiners = addUsers(3, 'joiner');
    fake.addMembers(team!, joiners);
    fake.removeMember(team!, users[0]!);
    fake.removeMember(team!, users[1]!);
    fake.updateGroup(renamed!, { displayName: 'New name' });
    // Added and removed again before the round: no net change.
    fake.addMember(team!, users[5]!);
    fake.removeMember(team!, users[5]!);

    const second = await round(first.deltaLink);
    expect([...second.groups.keys()].sort()).toEqual([team, renamed].sort());
    expect(second.groups.get(team!)).toEqual({
      id: team,
      attributes: {},
      membersAdded: joiners,
      membersRemoved: [users[0], users[1]],
      memberTypes: {},
      partial: true,
    });
    expect(second.groups.get(renamed!)).toEqual({
      id: renamed,
      attributes: { displayName: 'New name' },
      membersAdded: [],
      membersRemoved: [],
      memberTypes: {},
      partial: true,
    });

    const third = await round(second.deltaLink);
    expect(third.groups.size).toBe(0);
  });

  it('reports a deleted group as removed: deleted (security group) or changed (restorable Microsoft 365 group)', async () => {
    await start();
    const [member] = addUsers(1);
    const security = fake.addGroup({ displayName: 'Security' }).id;
    const unified = fake.addGroup({ displayName: 'Unified', groupTypes: ['Unified'] }).id;
    fake.addMember(security, member!);
    const first = await round();

    fake.deleteGroup(security);
    fake.deleteGroup(unified, false);
    const second = await round(first.deltaLink);
    expect(second.groups.get(security)).toEqual({
      id: security,
      attributes: {},
      removed: 'deleted',
      membersAdded: [],
      membersRemoved: [],
      memberTypes: {},
      partial: false,
    });
    expect(second.groups.get(unified)).toMatchObject({ removed: 'changed', attributes: {} });
    expect(second.groups.size).toBe(2);
  });

  it('reports nested group members with their type, on the first round and when added later', async () => {
    await start();
    const [alice, bob] = addUsers(2);
    const parent = fake.addGroup({ displayName: 'Parent' }).id;
    const child = fake.addGroup({ displayName: 'Child' }).id;
    const later = fake.addGroup({ displayName: 'Later' }).id;
    fake.addMembers(parent, [alice!, child]);
    fake.addMember(child, bob!);
    const first = await round();
    expect(first.groups.get(parent)).toMatchObject({ membersAdded: [alice, child], memberTypes: { [child]: 'group' } });
    expect(first.groups.get(child)).toMatchObject({ membersAdded: [bob], memberTypes: {} });

    fake.addMember(parent, later);
    fake.removeMember(parent, child);
    const second = await round(first.deltaLink);
    expect(second.groups.get(parent)).toMatchObject({
      membersAdded: [later],
      membersRemoved: [child],
      memberTypes: { [later]: 'group', [child]: 'group' },
    });
  });

  it.each([
    ['syncStateNotFound', 400],
    ['resyncRequired', 410],
  ] as const)('turns an expired delta token (%s) into DeltaTokenExpired, and a new first round works', async (style, status) => {
    await start();
    fake.addGroup({ displayName: 'G' });
    const first = await round();
    fake.expireDeltaTokens(style);

    const error = await source.readGroupsDelta(first.deltaLink).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisioningError);
    expect(error).toMatchObject({ kind: 'permanent', code: 'DeltaTokenExpired', status });
    expect((await round()).groups.size).toBe(1);
  });
});

describe('readGroupMembers', () => {
  it('lists direct members with their types, and transitive members of nested groups once each', async () => {
    await start({ maxPageSize: 2 });
    const [u1, u2, u3] = addUsers(3);
    const top = fake.addGroup({ displayName: 'Top' }).id;
    const middle = fake.addGroup({ displayName: 'Middle' }).id;
    const bottom = fake.addGroup({ displayName: 'Bottom' }).id;
    fake.addMembers(top, [u1!, middle]);
    fake.addMembers(middle, [u2!, bottom]);
    fake.addMembers(bottom, [u3!, u1!]);

    const direct = await allMembers(top);
    expect(direct.members).toEqual([
      { id: u1, type: 'user' },
      { id: middle, type: 'group' },
    ]);

    const transitive = await allMembers(top, true);
    expect(transitive.pages).toBe(3);
    expect(transitive.members).toHaveLength(5);
    expect(new Set(transitive.members.map((m) => `${m.type}:${m.id}`))).toEqual(
      new Set([`user:${u1}`, `group:${middle}`, `user:${u2}`, `group:${bottom}`, `user:${u3}`]),
    );
    expect(graphCalls().some((path) => path.startsWith(`/v1.0/groups/${top}/transitiveMembers?$select=id&$top=999&$skiptoken=`))).toBe(
      true,
    );
  });

  it('reads all 50,000 members of a large group, 999 a page', async () => {
    await start();
    const group = fake.addGroup({ displayName: 'Everyone' }).id;
    fake.addMembers(group, addUsers(50_000));

    let count = 0;
    let pages = 0;
    let largestPage = 0;
    const seen = new Set<string>();
    for await (const page of source.readGroupMembers(group)) {
      pages++;
      largestPage = Math.max(largestPage, page.length);
      for (const member of page) {
        expect(member.type).toBe('user');
        seen.add(member.id);
        count++;
      }
    }
    expect(count).toBe(50_000);
    expect(seen.size).toBe(50_000);
    expect(pages).toBe(Math.ceil(50_000 / 999));
    expect(largestPage).toBe(999);
  });

  it('answers NotFound for a group Graph does not know', async () => {
    await start();
    const error = await allMembers('no-such-group').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permanent', code: 'NotFound', status: 404 });
  });
});

describe('readGroups and getGroups', () => {
  it('lists every group page by page with the selected properties', async () => {
    await start({ maxPageSize: 2 });
    const ids = ['A', 'B', 'C'].map((displayName) => fake.addGroup({ displayName, description: `${displayName}!` }).id);
    const objects = [];
    let page = await source.readGroups();
    objects.push(...page.objects);
    while (page.nextLink) {
      page = await source.readGroups(page.nextLink);
      objects.push(...page.objects);
    }
    expect(graphCalls()[0]).toBe('/v1.0/groups?$select=id,displayName,description&$top=999');
    expect(objects).toEqual(
      ids.map((id, i) => ({ id, type: 'group', attributes: { displayName: 'ABC'[i], description: `${'ABC'[i]}!` } })),
    );
  });

  it('reads groups by id in chunks of 15; unknown ids are absent', async () => {
    await start();
    const ids = Array.from({ length: 17 }, (_, i) => fake.addGroup({ displayName: `G${i}` }).id);
    const groups = await source.getGroups([...ids, 'unknown', ids[0]!]);
    expect(groups.map((g) => g.id).sort()).toEqual([...ids].sort());
    expect(groups.every((g) => g.type === 'group')).toBe(true);
    expect(graphCalls().filter((path) => path.startsWith('/v1.0/groups?$filter='))).toHaveLength(2);
  });
});
