/**
 * Groups and memberships against scim2-server: groups are created empty and filled in PATCHes of
 * the target's member limit, follow renames, membership changes and deletions, hold members that
 * are provisioned later (pending references, written in the same cycle), and are repaired when
 * someone changes them in the target.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { testEnv } from '../support/env';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** Each target group as "displayName: member userNames, sorted". */
async function groupsOf(scimBaseUrl: string): Promise<Record<string, string[]>> {
  const users = new Map((await h.targetUsers(scimBaseUrl)).map((u) => [u.id as string, u.userName as string]));
  const out: Record<string, string[]> = {};
  for (const group of await h.targetGroups(scimBaseUrl)) {
    const members = ((group.members ?? []) as { value: string }[]).map((m) => users.get(m.value) ?? `unknown:${m.value}`);
    expect(out[group.displayName], `two target groups named ${group.displayName}`).toBeUndefined();
    out[group.displayName] = members.sort();
  }
  return out;
}

async function scim(scimBaseUrl: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${scimBaseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${testEnv.scimToken}`, 'content-type': 'application/scim+json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

const run = async (appId: string, previous: string) => {
  await h.api('POST', `/api/v1/apps/${appId}/run`);
  return h.waitForCycle(appId, previous);
};

describe('groups', () => {
  it('creates groups empty, fills them in chunks, and follows renames, membership changes and deletions', async () => {
    const [ada, bob, cy, dee] = addPeople(h.graph, 4, 8000);
    const sales = h.graph.addGroup({ displayName: 'G8000 Sales' });
    const ops = h.graph.addGroup({ displayName: 'G8000 Ops' });
    h.graph.addMembers(sales.id, [ada!.id, bob!.id, cy!.id, ops.id]);
    h.graph.addMember(ops.id, dee!.id);
    h.scimRequests.length = 0;

    // One request per write, to count them (bulk writes are covered in bulk.test.ts).
    const app = await h.createApp({
      groups: { enabled: true },
      capabilities: { overrides: { maxMembersPerPatch: 2, bulk: { supported: false } } },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ kind: 'initial', state: 'succeeded' });
    const mine = (all: Record<string, string[]>) => Object.fromEntries(Object.entries(all).filter(([name]) => name.startsWith('G8000')));
    // Direct members only: the nested group is not flattened by default.
    expect(mine(await groupsOf(app.scimBaseUrl))).toEqual({
      'G8000 Sales': [ada!.userPrincipalName, bob!.userPrincipalName, cy!.userPrincipalName].sort(),
      'G8000 Ops': [dee!.userPrincipalName],
    });
    const groupWrites = h.scimRequests.filter((r) => r.path.startsWith('/Groups') && r.method !== 'GET');
    const creates = groupWrites.filter((r) => r.method === 'POST');
    expect(creates.length).toBeGreaterThanOrEqual(2);
    // Three members with a limit of two: two PATCHes for Sales, one for Ops.
    const salesId = (await h.targetGroups(app.scimBaseUrl)).find((g) => g.displayName === 'G8000 Sales').id;
    expect(groupWrites.filter((r) => r.method === 'PATCH' && r.path === `/Groups/${salesId}`)).toHaveLength(2);

    h.graph.updateGroup(sales.id, { displayName: 'G8000 Revenue' });
    h.graph.removeMember(sales.id, bob!.id);
    h.graph.addMember(sales.id, dee!.id);
    h.graph.deleteGroup(ops.id, true);
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded' });
    expect(second.counts.failed).toBe(0);
    expect(mine(await groupsOf(app.scimBaseUrl))).toEqual({
      'G8000 Revenue': [ada!.userPrincipalName, cy!.userPrincipalName, dee!.userPrincipalName].sort(),
    });

    const logs = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${sales.id}`);
    expect(
      logs.body.items.some((e: { modifiedProperties: { name: string; new: unknown }[] }) =>
        e.modifiedProperties.some((p) => p.name === 'members'),
      ),
    ).toBe(true);
  });

  it('holds members not yet provisioned and writes them in the cycle that provisions them', async () => {
    const [inside, outside] = addPeople(h.graph, 2, 8100);
    h.graph.updateUser(inside!.id, { department: 'Sales' });
    h.graph.updateUser(outside!.id, { department: 'Legal' });
    const team = h.graph.addGroup({ displayName: 'G8100 Team' });
    h.graph.addMembers(team.id, [inside!.id, outside!.id]);
    const app = await h.createApp({
      groups: { enabled: true },
      scoping: {
        user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] },
        group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^G8100' }] }] },
      },
    });
    const first = await h.waitForCycle(app.id);
    expect(await groupsOf(app.scimBaseUrl)).toEqual({ 'G8100 Team': [inside!.userPrincipalName] });

    // The outsider joins Sales: the users phase creates them, the groups phase adds them.
    h.graph.updateUser(outside!.id, { department: 'Sales' });
    const second = await run(app.id, first.id);
    expect(second.counts).toMatchObject({ created: 1, failed: 0 });
    expect(await groupsOf(app.scimBaseUrl)).toEqual({ 'G8100 Team': [inside!.userPrincipalName, outside!.userPrincipalName].sort() });
  });

  it('repairs members changed in the target on a full comparison, and flattens nested groups when asked', async () => {
    const [a, b, c] = addPeople(h.graph, 3, 8200);
    const outer = h.graph.addGroup({ displayName: 'G8200 Outer' });
    const inner = h.graph.addGroup({ displayName: 'G8200 Inner' });
    h.graph.addMembers(outer.id, [a!.id, inner.id]);
    h.graph.addMembers(inner.id, [b!.id]);
    const app = await h.createApp({
      groups: { enabled: true, flattenNested: true },
      scoping: { group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^G8200' }] }] } },
    });
    const first = await h.waitForCycle(app.id);
    expect(await groupsOf(app.scimBaseUrl)).toEqual({
      'G8200 Outer': [a!.userPrincipalName, b!.userPrincipalName].sort(),
      'G8200 Inner': [b!.userPrincipalName],
    });

    // Someone edits the target group by hand: removes a member and adds a stray account.
    const users = await h.targetUsers(app.scimBaseUrl);
    const idOf = (upn: unknown) => users.find((u) => u.userName === upn).id as string;
    const outerTarget = (await h.targetGroups(app.scimBaseUrl)).find((g) => g.displayName === 'G8200 Outer');
    await scim(app.scimBaseUrl, 'PATCH', `/Groups/${outerTarget.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'remove', path: `members[value eq "${idOf(a!.userPrincipalName)}"]` },
        { op: 'add', path: 'members', value: [{ value: idOf(c!.userPrincipalName) }] },
      ],
    });
    // A changed comparison period is a configuration change: the next cycle compares in full.
    await h.api('PATCH', `/api/v1/apps/${app.id}`, { groups: { compareMembersHours: 12 } });
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(await groupsOf(app.scimBaseUrl)).toEqual({
      'G8200 Outer': [a!.userPrincipalName, b!.userPrincipalName].sort(),
      'G8200 Inner': [b!.userPrincipalName],
    });
  });

  it('escrows a group that matches two target groups and retries it once the stray copy is gone', async () => {
    const [member] = addPeople(h.graph, 1, 8400);
    const team = h.graph.addGroup({ displayName: 'G8400 Team' });
    h.graph.addMember(team.id, member!.id);
    const app = await h.createApp({
      groups: { enabled: true },
      scoping: { group: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'EQUALS', value: 'G8400 Team' }] }] } },
    });
    // Two groups of that name already exist in the target: scimflow will not guess which to manage.
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G8400 Team' };
    await scim(app.scimBaseUrl, 'POST', '/Groups', group);
    await scim(app.scimBaseUrl, 'POST', '/Groups', group);
    const first = await h.waitForCycle(app.id);
    expect(first.counts.failed).toBe(1);
    expect(await h.store.escrow.count(app.id)).toBe(1);

    const [stray] = (await h.targetGroups(app.scimBaseUrl)).slice(1);
    await scim(app.scimBaseUrl, 'DELETE', `/Groups/${stray.id}`);
    await h.store.db
      .updateTable('escrow')
      .set({ next_retry_at: new Date(Date.now() - 1000) })
      .where('app_id', '=', app.id)
      .execute();
    const second = await run(app.id, first.id);
    expect(second.counts.failed).toBe(0);
    expect(await h.store.escrow.count(app.id)).toBe(0);
    expect(await groupsOf(app.scimBaseUrl)).toEqual({ 'G8400 Team': [member!.userPrincipalName] });
  });

  it('previews and provisions one group on demand, through the app group mappings', async () => {
    const [m1, m2] = addPeople(h.graph, 2, 8500);
    const squad = h.graph.addGroup({ displayName: 'G8500 Squad', description: 'platform' });
    h.graph.addMembers(squad.id, [m1!.id, m2!.id]);
    const app = await h.createApp({
      groups: { enabled: true },
      mappings: {
        group: [
          { type: 'expression', expression: 'Append("team-", ToLower([displayName]))', target: 'displayName', matchingPrecedence: 1 },
          { type: 'direct', source: 'objectId', target: 'externalId' },
        ],
      },
      // The cycle leaves this group alone; only on-demand provisions it.
      scoping: {
        group: { groups: [{ clauses: [{ attribute: 'description', operator: 'EQUALS', value: 'platform' }] }] },
        user: { groups: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^Given850' }] }] },
      },
      schedule: { intervalMinutes: 60 },
    });
    await h.waitForCycle(app.id);
    await scim(app.scimBaseUrl, 'DELETE', `/Groups/${(await h.targetGroups(app.scimBaseUrl))[0].id}`);
    await h.store.anchors.upsert({
      appId: app.id,
      objectType: 'group',
      sourceId: squad.id,
      targetId: 'gone',
      lastExported: {},
      state: 'deleted',
    });

    const preview = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: squad.id });
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      action: 'Create',
      request: { method: 'POST', path: '/Groups', body: { displayName: 'team-g8500 squad', externalId: squad.id } },
    });
    expect(await h.targetGroups(app.scimBaseUrl)).toEqual([]);

    const onDemand = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: squad.id });
    expect(onDemand.status).toBe(200);
    expect(onDemand.body).toMatchObject({ status: 'Success', action: 'Create' });
    expect(await groupsOf(app.scimBaseUrl)).toEqual({ 'team-g8500 squad': [m1!.userPrincipalName, m2!.userPrincipalName].sort() });
  });

  it('provisions assigned groups and deletes a group once it is unassigned', async () => {
    const [m1, m2] = addPeople(h.graph, 2, 8300);
    const kept = h.graph.addGroup({ displayName: 'G8300 Kept' });
    const dropped = h.graph.addGroup({ displayName: 'G8300 Dropped' });
    h.graph.addMember(kept.id, m1!.id);
    h.graph.addMember(dropped.id, m2!.id);
    h.graph.assign(kept.id, 'Group');
    h.graph.assign(dropped.id, 'Group');
    const app = await h.createApp({
      groups: { enabled: true },
      source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret },
    });
    const first = await h.waitForCycle(app.id);
    expect(await groupsOf(app.scimBaseUrl)).toEqual({ 'G8300 Kept': [m1!.userPrincipalName], 'G8300 Dropped': [m2!.userPrincipalName] });

    h.graph.unassign(dropped.id);
    const second = await run(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded' });
    expect(Object.keys(await groupsOf(app.scimBaseUrl))).toEqual(['G8300 Kept']);
  });
});
