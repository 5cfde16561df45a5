/**
 * Alert rules on the real service: a cycle that disables more accounts than the app's alert
 * threshold alerts once, to a webhook receiver that checks the signature and by e-mail to a
 * real SMTP server; a delivery that failed is retried by the alert schedule; the condition
 * alerts again only after a cycle without it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertScheduleId } from '../../src/service/alert-schedule';
import { startAlertWebhook, type AlertWebhook } from '../support/alert-webhook';
import { startHarness, type Harness } from '../support/harness';
import { eventually } from '../support/lifecycle';
import { addPeople } from '../support/people';
import { startSmtpServer, type SmtpServer } from '../support/smtp-server';

let h: Harness;
let webhook: AlertWebhook;
let smtp: SmtpServer;

beforeAll(async () => {
  webhook = await startAlertWebhook();
  smtp = await startSmtpServer();
  h = await startHarness({
    alerts: { webhook, mail: { url: smtp.url, from: 'scimflow@example.com', to: ['ops@example.com'] } },
  });
});

afterAll(async () => {
  await h?.close();
  webhook?.close();
  await smtp?.close();
});

describe('alert rules', () => {
  it('alerts once per condition over both channels, retrying a failed delivery from the schedule', async () => {
    const people = addPeople(h.graph, 6, 9700);
    const app = await h.createApp({ alerts: { deprovisions: { threshold: 1 } } });
    const first = await h.waitForCycle(app.id);
    expect(first.counts.created).toBeGreaterThanOrEqual(6);
    const mine = () => webhook.alerts.filter((alert) => alert.appId === app.id && alert.type === 'deprovisions');
    const mails = async () => (await smtp.messages()).filter((mail) => mail.body.includes(app.id));

    // Both peers are down when the alert is raised: the cycle is not held up by them.
    webhook.failNext(1);
    await smtp.stop();
    try {
      for (const p of people.slice(0, 3)) h.graph.softDeleteUser(p.id);
      await h.api('POST', `/api/v1/apps/${app.id}/run`);
      const second = await h.waitForCycle(app.id, first.id);
      expect(second).toMatchObject({ state: 'succeeded', counts: { disabled: 3 } });
      const failed = await h.store.alerts.list(app.id);
      expect(failed.map((d) => [d.channel, d.rule, d.attempts, d.deliveredAt])).toEqual([
        ['webhook', 'deprovisions', 1, null],
        ['email', 'deprovisions', 1, null],
      ]);
      expect(failed.map((d) => d.lastError)).toEqual(['the alert webhook answered HTTP 503', expect.stringMatching(/ECONNREFUSED/)]);
      expect(mine()).toEqual([]);
    } finally {
      await smtp.start();
    }

    // The retry is due 30 s later; the alert schedule's next run delivers it (triggered here rather than waited for).
    await new Promise((resolve) => setTimeout(resolve, 30_000));
    await h.service.client.schedule.getHandle(alertScheduleId(h.taskQueue)).trigger();
    const delivered = await eventually(
      () => h.store.alerts.list(app.id),
      (deliveries) => deliveries.every((d) => d.deliveredAt !== null),
      'the alert delivered on its retry',
    );
    expect(delivered.map((d) => d.attempts)).toEqual([2, 2]);
    expect(mine()).toEqual([
      expect.objectContaining({
        source: 'scimflow',
        id: delivered[0]!.alertId,
        rule: 'deprovisions',
        reason: 'DeprovisionsOverThreshold',
        message: expect.stringContaining('disabled 3 and deleted 0 accounts, over the alert threshold of 1'),
      }),
    ]);
    expect((await mails()).map((mail) => mail.headers['subject'])).toEqual([
      `[scimflow] deprovisions ${app.id}: DeprovisionsOverThreshold`,
    ]);
    expect(webhook.refused).toBe(0);

    // A cycle without the condition ends it; the next one over the threshold alerts again, once.
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const third = await h.waitForCycle(app.id, (await h.store.cycles.last(app.id))!.id);
    expect(third.counts.disabled).toBe(0);
    expect(await h.store.alerts.condition(app.id, 'deprovisions')).toBeUndefined();
    for (const p of people.slice(3, 5)) h.graph.softDeleteUser(p.id);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const fourth = await h.waitForCycle(app.id, third.id);
    expect(fourth.counts.disabled).toBe(2);
    expect(mine()).toHaveLength(2);
    expect(await mails()).toHaveLength(2);
  }, 150_000);
});
