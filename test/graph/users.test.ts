import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphSource, type GraphSource } from '../../src/graph/index';
import type { SourceObject } from '../../src/source/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

const select = ['userPrincipalName', 'displayName', 'mobilePhone'];
let fake: FakeGraph;

beforeEach(async () => {
  fake = await startFakeGraph();
});
afterEach(async () => {
  await fake.close();
});

function addUsers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => fake.addUser({ userPrincipalName: `user${i}@contoso.test`, displayName: `User ${i}` }).id);
}

function graphCalls(path: string) {
  return fake.requests.filter((r) => r.path.startsWith(path));
}

describe('readUsers', () => {
  it('lists every user across pages, following the absolute nextLink verbatim', async () => {
    const ids = addUsers(7);
    const source = createGraphSource(fake.sourceConfig(), fake.clientSecret, { select, pageSize: 3 });
    const pages = [await source.readUsers()];
    while (pages.at(-1)!.nextLink) pages.push(await source.readUsers(pages.at(-1)!.nextLink));

    expect(pages.map((p) => p.objects.length)).toEqual([3, 3, 1]);
    expect(pages[0]!.nextLink).toMatch(new RegExp(`^${fake.graphBaseUrl.replaceAll('.', '\\.')}/users\\?.*\\$skiptoken=`));
    expect(pages.flatMap((p) => p.objects.map((o) => o.id)).sort()).toEqual([...ids].sort());
    const calls = graphCalls('/v1.0/users');
    expect(calls[0]!.path).toBe('/v1.0/users?$select=id,accountEnabled,userPrincipalName,displayName,mobilePhone&$top=3');
    expect(calls[1]!.path).toBe(new URL(pages[0]!.nextLink!).pathname + new URL(pages[0]!.nextLink!).search);
  });

  it('normalises users: id apart, annotations dropped, unset selected properties null', async () => {
    const [id] = addUsers(1);
    const source = createGraphSource(fake.sourceConfig(), fake.clientSecret, { select });
    const page = await source.readUsers();
    expect(page.objects).toEqual<SourceObject[]>([
      {
        id: id!,
        type: 'user',
        attributes: { accountEnabled: true, userPrincipalName: 'user0@contoso.test', displayName: 'User 0', mobilePhone: null },
      },
    ]);
    expect(page.nextLink).toBeUndefined();
  });

  it('asks for $top=999 by default', async () => {
    addUsers(1);
    await createGraphSource(fake.sourceConfig(), fake.clientSecret).readUsers();
    expect(graphCalls('/v1.0/users')[0]!.path).toBe('/v1.0/users?$select=id,accountEnabled&$top=999');
  });
});

describe('countUsers', () => {
  it('counts the tenant with an advanced query ($count needs ConsistencyLevel: eventual)', async () => {
    addUsers(4);
    const source = createGraphSource(fake.sourceConfig(), fake.clientSecret, { select });
    expect(await source.countUsers()).toBe(4);
    expect(graphCalls('/v1.0/users/$count')).toHaveLength(1);
  });
});

describe('getUsers and getUser', () => {
  let source: GraphSource;
  beforeEach(() => {
    source = createGraphSource(fake.sourceConfig(), fake.clientSecret, { select });
  });

  it('reads more than 15 users in id-in chunks Graph accepts, leaving unknown ones out', async () => {
    const ids = addUsers(20);
    const gone = ids[19]!;
    fake.softDeleteUser(gone);
    const unknown = ['00000000-0000-0000-0000-00000000dead', "o'brien"];

    const users = await source.getUsers([...ids, ids[0]!, ...unknown]);

    expect(users.map((u) => u.id).sort()).toEqual(ids.slice(0, 19).sort());
    expect(users.every((u) => u.attributes.displayName !== undefined && !u.partial)).toBe(true);
    const filtered = graphCalls('/v1.0/users?$filter=');
    expect(filtered.map((c) => c.status)).toEqual([200, 200]);
  });

  it('returns a user by id, or undefined for unknown and soft-deleted ones', async () => {
    const [alive, deleted] = addUsers(2);
    fake.softDeleteUser(deleted!);
    expect(await source.getUser(alive!)).toMatchObject({ id: alive, type: 'user', attributes: { displayName: 'User 0' } });
    expect(await source.getUser(deleted!)).toBeUndefined();
    expect(await source.getUser('11111111-2222-3333-4444-555555555555')).toBeUndefined();
  });
});
