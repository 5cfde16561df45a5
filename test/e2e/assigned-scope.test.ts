/**
 * Apps scoped to the users assigned to their service principal: only assigned users (directly or
 * through a group) are provisioned, and assignment changes alone are picked up by the next
 * incremental cycle.
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

describe('scope: assigned', () => {
  it('provisions assigned users and follows assignment changes', async () => {
    const [direct, viaGroup, outsider, later] = addPeople(h.graph, 4, 7000);
    const group = h.graph.addGroup({ displayName: 'Sales' });
    h.graph.addMember(group.id, viaGroup!.id);
    h.graph.assign(direct!.id, 'User');
    h.graph.assign(group.id, 'Group');

    const app = await h.createApp({ source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret } });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ kind: 'initial', state: 'succeeded' });
    const names = async () => (await h.targetUsers(app.scimBaseUrl)).map((u) => `${u.userName}:${u.active}`).sort();
    expect(await names()).toEqual([`${direct!.userPrincipalName}:true`, `${viaGroup!.userPrincipalName}:true`].sort());

    const scoping = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${outsider!.id}`);
    expect(scoping.body.items[0]).toMatchObject({ action: 'Other', status: 'Skipped' });

    // Only assignments change: no user attribute changes, so the delta round is empty.
    h.graph.unassign(direct!.id);
    h.graph.assign(later!.id, 'User');
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ kind: 'incremental', state: 'succeeded', counts: { created: 1, disabled: 1, failed: 0 } });
    expect(await names()).toEqual(
      [`${direct!.userPrincipalName}:false`, `${viaGroup!.userPrincipalName}:true`, `${later!.userPrincipalName}:true`].sort(),
    );
  });
});
