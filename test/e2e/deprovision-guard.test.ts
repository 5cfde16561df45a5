/**
 * Deletions are guarded: a cycle that would disable or delete more accounts than the app's
 * threshold holds the rest back, quarantines the job and alerts, until an admin allows deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertWebhook, type AlertWebhook } from '../support/alert-webhook';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;
let webhook: AlertWebhook;
let alerts: AlertWebhook['alerts'];

beforeAll(async () => {
  webhook = await startAlertWebhook();
  alerts = webhook.alerts;
  h = await startHarness({ alerts: { webhook } });
});

afterAll(async () => {
  await h?.close();
  webhook?.close();
});

describe('the deprovisioning threshold', () => {
  it('holds back deprovisionings past the threshold until an admin allows them', async () => {
    const people = addPeople(h.graph, 6, 9500);
    const app = await h.createApp({
      deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'disable', threshold: 2 },
    });
    const first = await h.waitForCycle(app.id);
    expect(first.counts.created).toBeGreaterThanOrEqual(6);

    for (const p of people.slice(0, 5)) h.graph.softDeleteUser(p.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ state: 'succeeded', staged: 3, counts: { disabled: 2 } });

    const status = await h.api('GET', `/api/v1/apps/${app.id}/status`);
    expect(status.body).toMatchObject({ state: 'quarantined', quarantine: { reason: 'TooManyDeletes' } });
    const mine = (await h.targetUsers(app.scimBaseUrl)).filter((u) => people.slice(0, 5).some((p) => p.userPrincipalName === u.userName));
    expect(mine.filter((u) => u.active === false)).toHaveLength(2);
    const staged = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?action=StagedDelete`);
    expect(staged.body.items).toHaveLength(3);
    expect(staged.body.items[0]).toMatchObject({ status: 'Skipped', error: { code: 'TooManyDeletes' } });
    expect(alerts).toEqual([expect.objectContaining({ source: 'scimflow', type: 'quarantine', appId: app.id, reason: 'TooManyDeletes' })]);

    // Quarantined: a run request does not start a cycle; allowing the deletes does.
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    expect((await h.api('POST', `/api/v1/apps/${app.id}/allow-deletes`)).status).toBe(202);
    const third = await h.waitForCycle(app.id, second.id);
    expect(third).toMatchObject({ state: 'succeeded', counts: { disabled: 3, failed: 0 } });
    expect(third.staged ?? 0).toBe(0);
    const after = (await h.targetUsers(app.scimBaseUrl)).filter((u) => people.slice(0, 5).some((p) => p.userPrincipalName === u.userName));
    expect(after.every((u) => u.active === false)).toBe(true);
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body).toMatchObject({ state: 'active', quarantine: null });
  });
});
