/**
 * Alert delivery against real peers: a webhook receiver that checks the HMAC signature and a
 * real SMTP server (aiosmtpd). One alert per condition; a delivery that fails is retried from
 * the store's outbox until it goes through.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertDeliverer, createAlerter, mailChannel, webhookChannel, type AlertEvent } from '../../src/alerts/index';
import { createLogger } from '../../src/log/index';
import { openDatabase, type Store } from '../../src/store/index';
import { startAlertWebhook, type AlertWebhook } from '../support/alert-webhook';
import { startSmtpServer, type SmtpServer } from '../support/smtp-server';

let store: Store;
let webhook: AlertWebhook;
let smtp: SmtpServer;
let at = Date.parse('2026-03-01T10:00:00.000Z');
const clock = { now: () => new Date(at) };
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  store = await openDatabase();
  webhook = await startAlertWebhook();
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await store?.close();
  webhook?.close();
  await smtp?.close();
});

function alerterWith(secret: string) {
  const deliverer = createAlertDeliverer({
    store,
    channels: [
      // The receiver checks the timestamp against its own clock.
      webhookChannel({ url: webhook.url, secret }),
      mailChannel({ url: smtp.url, from: 'scimflow@example.com', to: ['ops@example.com', 'oncall@example.com'] }),
    ],
    logger,
    now: clock.now,
  });
  return { deliverer, alerter: createAlerter({ store, logger, deliverer }) };
}

const event = (appId: string, reason = 'DeprovisionsOverThreshold'): AlertEvent => ({
  type: 'deprovisions',
  appId,
  reason,
  cycleId: `${appId}:7`,
  message: `Contoso: cycle ${appId}:7 disabled 120 and deleted 0 accounts, over the alert threshold of 100`,
  at: clock.now().toISOString(),
});

const mailsFor = async (appId: string) => (await smtp.messages()).filter((mail) => mail.body.includes(appId));

describe('alert delivery', () => {
  it('sends a new condition once to the signed webhook and by e-mail, and again only once it changed', async () => {
    const { alerter } = alerterWith(webhook.secret);
    const appId = randomUUID();
    expect(await alerter.raise({ rule: 'deprovisions', condition: 'over', event: event(appId) })).toBe(true);
    expect(await alerter.raise({ rule: 'deprovisions', condition: 'over', event: event(appId) })).toBe(false);

    const received = webhook.alerts.filter((alert) => alert.appId === appId);
    expect(received).toEqual([
      {
        source: 'scimflow',
        id: expect.any(String),
        rule: 'deprovisions',
        type: 'deprovisions',
        appId,
        reason: 'DeprovisionsOverThreshold',
        cycleId: `${appId}:7`,
        message: expect.stringContaining('over the alert threshold of 100'),
        at: '2026-03-01T10:00:00.000Z',
      },
    ]);
    const mails = await mailsFor(appId);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.headers).toMatchObject({
      from: 'scimflow@example.com',
      to: 'ops@example.com, oncall@example.com',
      subject: `[scimflow] deprovisions ${appId}: DeprovisionsOverThreshold`,
      'x-scimflow-alert-id': received[0]!.id,
    });
    expect(mails[0]!.body).toContain('over the alert threshold of 100');
    expect((await store.alerts.list(appId)).map((d) => [d.channel, d.attempts, d.deliveredAt !== null])).toEqual([
      ['webhook', 1, true],
      ['email', 1, true],
    ]);

    // Over: the next time the condition holds, it alerts again.
    await alerter.clear(appId, 'deprovisions');
    expect(await alerter.raise({ rule: 'deprovisions', condition: 'over', event: event(appId) })).toBe(true);
    expect(webhook.alerts.filter((alert) => alert.appId === appId)).toHaveLength(2);
  });

  it('retries a delivery that failed, after its gap, until the peers take it', async () => {
    const { alerter, deliverer } = alerterWith(webhook.secret);
    const appId = randomUUID();
    webhook.failNext(1);
    await smtp.stop();
    try {
      expect(await alerter.raise({ rule: 'deprovisions', condition: 'over', event: event(appId) })).toBe(true);
      const failed = await store.alerts.list(appId);
      expect(failed.map((d) => [d.channel, d.attempts, d.deliveredAt, d.nextAttemptAt])).toEqual([
        ['webhook', 1, null, '2026-03-01T10:00:30.000Z'],
        ['email', 1, null, '2026-03-01T10:00:30.000Z'],
      ]);
      expect(failed[0]!.lastError).toBe('the alert webhook answered HTTP 503');
      expect(failed[1]!.lastError).toMatch(/ECONNREFUSED/);

      // Not due yet: nothing is tried.
      expect(await deliverer.deliver()).toEqual({ delivered: 0, failed: 0 });
      at += 30_000;
      await smtp.start();
      expect(await deliverer.deliver()).toEqual({ delivered: 2, failed: 0 });
    } finally {
      await smtp.start().catch(() => {});
    }
    const delivered = await store.alerts.list(appId);
    expect(delivered.map((d) => [d.attempts, d.lastError, d.deliveredAt])).toEqual([
      [2, null, '2026-03-01T10:00:30.000Z'],
      [2, null, '2026-03-01T10:00:30.000Z'],
    ]);
    const received = webhook.alerts.filter((alert) => alert.appId === appId);
    expect(received).toHaveLength(1);
    expect((await mailsFor(appId)).map((mail) => mail.headers['x-scimflow-alert-id'])).toEqual([received[0]!.id]);
  });

  it('is refused by a receiver that holds another secret, and keeps the alert for a retry', async () => {
    const { alerter } = alerterWith('not-the-receivers-secret');
    const appId = randomUUID();
    const refusedBefore = webhook.refused;
    await alerter.raise({ rule: 'cycleFailures', condition: 'over', event: event(appId, 'FailureShareOverThreshold') });
    expect(webhook.refused).toBe(refusedBefore + 1);
    const [delivery] = (await store.alerts.list(appId)).filter((d) => d.channel === 'webhook');
    expect(delivery).toMatchObject({ deliveredAt: null, lastError: 'the alert webhook answered HTTP 401' });
  });
});
