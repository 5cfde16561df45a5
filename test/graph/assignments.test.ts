import { afterEach, beforeEach, expect, it } from 'vitest';
import { createGraphSource } from '../../src/graph/index';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';

let fake: FakeGraph;

beforeEach(async () => {
  // Pages of two make every listing (assignments, members) span several pages.
  fake = await startFakeGraph({ maxPageSize: 2 });
});
afterEach(async () => {
  await fake.close();
});

it('finds users assigned directly and through nested groups', async () => {
  const [direct, member1, member2, nested, outsider, elsewhere] = Array.from({ length: 6 }, (_, i) => fake.addUser({ displayName: `u${i}` }).id);
  const group = fake.addGroup({ displayName: 'Sales' }).id;
  const subgroup = fake.addGroup({ displayName: 'Sales EMEA' }).id;
  fake.addMember(group, member1!);
  fake.addMember(group, member2!);
  fake.addMember(group, subgroup);
  fake.addMember(subgroup, nested!);
  fake.addMember(subgroup, member1!);
  fake.assign(direct!, 'User');
  fake.assign(group, 'Group');
  fake.assign(outsider!, 'User', 'another-service-principal');
  fake.assign(elsewhere!, 'User');
  fake.assign(member2!, 'User');
  const source = createGraphSource(fake.sourceConfig({ scope: 'assigned' }), fake.clientSecret);

  const principals = await source.assignedPrincipals(fake.servicePrincipalId);
  expect(principals).toEqual({ userIds: new Set([direct, elsewhere, member2]), groupIds: new Set([group]) });

  const userIds = await source.assignedUserIds(fake.servicePrincipalId);
  expect(userIds).toEqual(new Set([direct, elsewhere, member1, member2, nested]));
  expect(userIds.has(outsider!)).toBe(false);
  const pagedCalls = fake.requests.filter((r) => r.path.includes('$skiptoken='));
  expect(pagedCalls.some((r) => r.path.includes('/appRoleAssignedTo'))).toBe(true);
  expect(pagedCalls.some((r) => r.path.includes('/transitiveMembers/microsoft.graph.user'))).toBe(true);
});
