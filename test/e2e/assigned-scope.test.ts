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

  it('provisions only users its scoping filter lets in, and deprovisions those who leave it', async () => {
    const [sales, engineer, salesEngineer] = addPeople(h.graph, 3, 7100);
    h.graph.updateUser(sales!.id, { department: 'Sales', jobTitle: 'Account Executive' });
    h.graph.updateUser(engineer!.id, { department: 'R&D', jobTitle: 'Engineer' });
    h.graph.updateUser(salesEngineer!.id, { department: 'Sales', jobTitle: 'Sales Engineer' });
    const app = await h.createApp({
      scoping: {
        user: {
          groups: [
            {
              clauses: [
                { attribute: 'department', operator: 'EQUALS', value: 'Sales' },
                { attribute: 'jobTitle', operator: 'NOT REGEX MATCH', value: '(?i)engineer' },
              ],
            },
            { clauses: [{ attribute: 'jobTitle', operator: 'ENDS_WITH', value: 'Manager' }] },
          ],
        },
      },
    });
    const first = await h.waitForCycle(app.id);
    const names = async () =>
      (await h.targetUsers(app.scimBaseUrl))
        .filter((u) => [sales, engineer, salesEngineer].some((p) => p!.userPrincipalName === u.userName))
        .map((u) => `${u.userName}:${u.active}`);
    expect(await names()).toEqual([`${sales!.userPrincipalName}:true`]);
    const preview = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: salesEngineer!.id });
    expect(preview.body).toMatchObject({ scope: { inScope: false }, action: 'Other', request: null });
    expect(preview.body.scope.groups[0].clauses.map((c: { matched: boolean }) => c.matched)).toEqual([true, false]);
    const skipped = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?objectId=${salesEngineer!.id}`);
    expect(skipped.body.items[0].steps.find((s: { name: string }) => s.name === 'scoping').detail).toContain('out of scope');

    h.graph.updateUser(sales!.id, { department: 'Marketing' });
    h.graph.updateUser(engineer!.id, { jobTitle: 'Engineering Manager' });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second.counts).toMatchObject({ created: 1, disabled: 1, failed: 0 });
    expect((await names()).sort()).toEqual([`${sales!.userPrincipalName}:false`, `${engineer!.userPrincipalName}:true`].sort());

    const bad = await h.api('PATCH', `/api/v1/apps/${app.id}`, {
      scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'SOUNDS_LIKE', value: 'x' }] }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toMatch(/^scoping\.user\.groups\.0\.clauses\.0\.operator/);
  });
});
