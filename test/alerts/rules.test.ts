/**
 * The alert rules on the sync engine and the store: a cycle's failure share alerts once while it
 * lasts and is over after a cycle without it; the cadence check alerts an app without a
 * successful cycle once, not for a paused job, and is over after a success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertDeliverer, createAlerter, type AlertEvent } from '../../src/alerts/index';
import { checkCycleCadence } from '../../src/alerts/cadence';
import { createLogger } from '../../src/log/index';
import type { Store } from '../../src/store/index';
import { openMemoryStore, person, startEngine, storeApp } from '../support/engine';

let store: Store;

beforeAll(async () => {
  store = await openMemoryStore();
});

afterAll(async () => {
  await store?.close();
});

describe('the failure share of a cycle', () => {
  it('alerts once while cycles stay over the threshold, and again only after one under it', async () => {
    const e = await startEngine(store);
    for (const id of ['u1', 'u2', 'u3']) e.directory.addUser(id, person(id));
    const failing = { method: 'POST', path: '/Users', body: (user: Record<string, unknown>) => user['userName'] === 'u2@contoso.test' };
    e.target.fail(failing, 500, { times: 2 });
    const failures = () => e.alerts.filter((alert) => alert.type === 'cycle-failures');

    const first = await e.cycle();
    expect(first.counts).toMatchObject({ created: 2, failed: 1 });
    expect(failures()).toEqual([
      expect.objectContaining({
        appId: e.appId,
        rule: 'cycleFailures',
        reason: 'FailureShareOverThreshold',
        cycleId: first.cycleId,
        message: expect.stringContaining('1 of 3 operations failed (33.3%), over the alert threshold of 20%'),
      }),
    ]);

    // The escrow retry fails again: still over, no second alert.
    e.clock.advance(11 * 60_000);
    expect((await e.cycle()).counts).toMatchObject({ failed: 1 });
    expect(failures()).toHaveLength(1);
    expect(await store.alerts.condition(e.appId, 'cycleFailures')).toBe('over');

    // The next retry succeeds: the condition is over.
    e.clock.advance(21 * 60_000);
    expect((await e.cycle()).counts).toMatchObject({ created: 1, failed: 0 });
    expect(await store.alerts.condition(e.appId, 'cycleFailures')).toBeUndefined();
    expect(failures()).toHaveLength(1);
  });
});

describe('the cadence check', () => {
  it('alerts an app without a successful cycle once, not while its job is paused, and ends once a cycle succeeds', async () => {
    const app = await storeApp(store, {
      displayName: 'Contoso Slack',
      schedule: { intervalMinutes: 40 },
      alerts: { noSuccessfulCycle: { threshold: 2 } },
    });
    const logger = createLogger({ level: 'silent' });
    const sent: AlertEvent[] = [];
    let now = Date.parse(app.createdAt) + 80 * 60_000;
    const deliverer = createAlertDeliverer({
      store,
      channels: [{ name: 'webhook', deliver: async (event) => void sent.push(event as AlertEvent) }],
      logger,
      now: () => new Date(now),
    });
    const alerter = createAlerter({ store, logger, deliverer });
    let state = 'active';
    const check = () => checkCycleCadence({ store, alerter, now: () => new Date(now), jobState: async () => state });
    const mine = () => sent.filter((event) => event.appId === app.id);

    expect((await check()).overdue).toBe(0);
    now += 60_000;
    state = 'paused';
    await check();
    expect(mine()).toEqual([]);
    state = 'active';
    await check();
    await check();
    expect(mine()).toEqual([
      expect.objectContaining({
        type: 'no-successful-cycle',
        reason: 'NoSuccessfulCycle',
        message: expect.stringContaining('Contoso Slack: no cycle has succeeded since the app was created'),
      }),
    ]);

    const cycle = await store.cycles.start({ appId: app.id, n: 1, kind: 'initial' });
    await store.cycles.finish(cycle.id, { state: 'succeeded', finishedAt: new Date(now) });
    await check();
    expect(await store.alerts.condition(app.id, 'noSuccessfulCycle')).toBeUndefined();
    expect(mine()).toHaveLength(1);
  });
});
