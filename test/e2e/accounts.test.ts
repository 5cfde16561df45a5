/**
 * Governing access end to end (real Temporal dev server, scim2-server, the Graph fake): the
 * accounts an app holds with why each is in scope, a person's access across apps, and an anchor
 * removed through the API and matched again (linked, not duplicated) by the next cycle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** DELETEs the anchor, waiting out a 409 while the job still reports the cycle that just ended as running. */
async function removeAnchor(appId: string, objectId: string): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await h.api('DELETE', `/api/v1/apps/${appId}/anchors/user/${objectId}`);
    if (response.status !== 409 || Date.now() > deadline) return response.status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('governing access', () => {
  it('lists accounts with why they are in scope, a person’s access across two apps, and re-matches a removed anchor', async () => {
    const [direct, viaGroup, outsider] = addPeople(h.graph, 3, 8200);
    const group = h.graph.addGroup({ displayName: 'Accounts Sales' });
    h.graph.addMember(group.id, viaGroup!.id);
    h.graph.assign(direct!.id, 'User');
    h.graph.assign(group.id, 'Group');
    const source = { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret };
    const spId = source.servicePrincipalId;

    const one = await h.createApp({ displayName: 'Access one', source });
    const two = await h.createApp({ displayName: 'Access two', source });
    const firstOfOne = await h.waitForCycle(one.id);
    expect(firstOfOne).toMatchObject({ kind: 'initial', state: 'succeeded' });
    await h.waitForCycle(two.id);

    const accounts = await h.api('GET', `/api/v1/apps/${one.id}/accounts?objectType=user`);
    expect(accounts.status).toBe(200);
    const byId = new Map(accounts.body.items.map((a: any) => [a.objectId, a]));
    expect([...byId.keys()].sort()).toEqual([direct!.id, viaGroup!.id].sort());
    const targets = await h.targetUsers(one.scimBaseUrl);
    const targetOf = (upn: unknown) => targets.find((u) => u.userName === upn)!.id;
    expect(byId.get(direct!.id)).toMatchObject({
      displayName: direct!.displayName,
      targetId: targetOf(direct!.userPrincipalName),
      state: 'active',
      lastChange: { action: 'Create', status: 'Success' },
      reason: { via: 'direct', servicePrincipalId: spId, detail: `assigned to service principal ${spId}` },
    });
    expect(byId.get(viaGroup!.id)).toMatchObject({
      targetId: targetOf(viaGroup!.userPrincipalName),
      reason: {
        via: 'group',
        servicePrincipalId: spId,
        groupIds: [group.id],
        detail: `assigned to service principal ${spId} through group ${group.id}`,
      },
    });
    expect(byId.has(outsider!.id)).toBe(false);

    const csv = await h.api('GET', `/api/v1/apps/${one.id}/accounts/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(
      String(csv.body)
        .split('\n')
        .filter((line) => line.includes(`group:${group.id}`)),
    ).toHaveLength(1);

    const access = await h.api('GET', `/api/v1/lifecycle/persons/${viaGroup!.id}/access`);
    expect(access.status).toBe(200);
    expect(access.body.apps.map((a: any) => [a.appDisplayName, a.state]).sort()).toEqual([
      ['Access one', 'active'],
      ['Access two', 'active'],
    ]);
    expect(access.body.apps.every((a: any) => a.lastChange?.action === 'Create')).toBe(true);
    expect((await h.api('GET', `/api/v1/lifecycle/persons/${outsider!.id}/access`)).body.apps).toEqual([]);

    // One object's connection: read it, remove it, and the next cycle links the same account again.
    const anchor = await h.api('GET', `/api/v1/apps/${one.id}/anchors/user/${direct!.id}`);
    expect(anchor.body).toMatchObject({ objectId: direct!.id, targetId: targetOf(direct!.userPrincipalName), state: 'active' });
    expect(await removeAnchor(one.id, direct!.id)).toBe(204);
    expect((await h.api('GET', `/api/v1/apps/${one.id}/anchors/user/${direct!.id}`)).status).toBe(404);

    await h.api('POST', `/api/v1/apps/${one.id}/run`);
    const second = await h.waitForCycle(one.id, firstOfOne.id);
    expect(second).toMatchObject({ state: 'succeeded', counts: { created: 0, failed: 0 } });
    const relinked = await h.api('GET', `/api/v1/apps/${one.id}/anchors/user/${direct!.id}`);
    expect(relinked.status).toBe(200);
    expect(relinked.body).toMatchObject({ targetId: targetOf(direct!.userPrincipalName), state: 'active', reason: { via: 'direct' } });
    const after = await h.targetUsers(one.scimBaseUrl);
    expect(after.filter((u) => u.userName === direct!.userPrincipalName)).toHaveLength(1);
    expect(after).toHaveLength(targets.length);
  });
});
