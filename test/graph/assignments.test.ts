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
  const [direct, member1, member2, nested, outsider, elsewhere] = Array.from(
    { length: 6 },
    (_, i) => fake.addUser({ displayName: `u${i}` }).id,
  );
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

  const users = await source.assignedUsers(fake.servicePrincipalId);
  expect(new Set(users.keys())).toEqual(new Set([direct, elsewhere, member1, member2, nested]));
  expect(users.has(outsider!)).toBe(false);
  expect(users.get(direct!)).toEqual({ direct: true, groupIds: [] });
  expect(users.get(member1!)).toEqual({ direct: false, groupIds: [group] });
  expect(users.get(nested!)).toEqual({ direct: false, groupIds: [group] });
  expect(users.get(member2!)).toEqual({ direct: true, groupIds: [group] });
  const pagedCalls = fake.requests.filter((r) => r.path.includes('$skiptoken='));
  expect(pagedCalls.some((r) => r.path.includes('/appRoleAssignedTo'))).toBe(true);
  expect(pagedCalls.some((r) => r.path.includes('/transitiveMembers/microsoft.graph.user'))).toBe(true);
});

it('reads the app roles each user holds, directly and through nested groups', async () => {
  const [ada, bob, cy, dee] = Array.from({ length: 4 }, (_, i) => fake.addUser({ displayName: `r${i}` }).id);
  const [admin, reader, retired] = fake.defineAppRoles([
    { value: 'Admin', displayName: 'Administrator' },
    { value: 'Reader', displayName: 'Read only' },
    { value: 'Retired', displayName: 'Retired role' },
  ]);
  fake.directory.appRoles.get(fake.servicePrincipalId)!.find((r) => r.id === retired!.id)!.isEnabled = false;
  const group = fake.addGroup({ displayName: 'Readers' }).id;
  const nested = fake.addGroup({ displayName: 'Readers EMEA' }).id;
  fake.addMember(group, nested);
  fake.addMember(nested, bob!);
  fake.assign(ada!, 'User', undefined, admin!.id);
  fake.assign(ada!, 'User', undefined, reader!.id);
  fake.assign(group, 'Group', undefined, reader!.id);
  fake.assign(bob!, 'User', undefined, reader!.id);
  fake.assign(cy!, 'User');
  fake.assign(dee!, 'User', undefined, retired!.id);
  const source = createGraphSource(fake.sourceConfig({ scope: 'assigned' }), fake.clientSecret);

  const roles = await source.userAppRoles(fake.servicePrincipalId);
  expect(
    roles
      .get(ada!)
      ?.map((r) => r.value)
      .sort(),
  ).toEqual(['Admin', 'Reader']);
  expect(roles.get(bob!)).toEqual([{ id: reader!.id, value: 'Reader', displayName: 'Read only' }]);
  // Default access gives no role, nor does a disabled one.
  expect(roles.has(cy!)).toBe(false);
  expect(roles.has(dee!)).toBe(false);
  expect(fake.requests.some((r) => r.path.startsWith(`/v1.0/servicePrincipals/${fake.servicePrincipalId}?$select=id,appRoles`))).toBe(true);
});
