/** Alert conditions and the delivery outbox on every backend: PGlite in memory and PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { openDatabase, type RaiseInput, type Store } from './index';

const backends = [
  { name: 'PGlite in memory', database: async () => undefined },
  { name: 'PostgreSQL', database: () => createTestDatabase('scimflow_alerts') },
];

const AT = '2026-03-01T10:00:00.000Z';

describe.each(backends)('alerts on $name', (backend) => {
  let store: Store;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await backend.database();
    store = await openDatabase({ ...(database && { url: database.url }), secretKey: randomBytes(32) });
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const alert = (appId: string, condition: string, overrides: Partial<RaiseInput> = {}): RaiseInput => ({
    appId,
    rule: 'cycleFailures',
    condition,
    alertId: randomUUID(),
    event: { type: 'cycle-failures', appId, condition },
    channels: ['webhook', 'email'],
    at: AT,
    ...overrides,
  });

  it('raises a condition once, again when it changes, and again after it was cleared', async () => {
    const appId = randomUUID();
    const first = await store.alerts.raise(alert(appId, 'over'));
    expect(first).toEqual({ raised: true, deliveries: [expect.any(Number), expect.any(Number)] });
    expect(await store.alerts.raise(alert(appId, 'over'))).toEqual({ raised: false, deliveries: [] });
    expect((await store.alerts.raise(alert(appId, 'worse'))).raised).toBe(true);
    expect(await store.alerts.condition(appId, 'cycleFailures')).toBe('worse');
    await store.alerts.clear(appId, 'cycleFailures');
    expect(await store.alerts.condition(appId, 'cycleFailures')).toBeUndefined();
    expect((await store.alerts.raise(alert(appId, 'worse'))).raised).toBe(true);
    expect((await store.alerts.list(appId)).map((d) => [d.channel, d.event['condition']])).toEqual([
      ['webhook', 'over'],
      ['email', 'over'],
      ['webhook', 'worse'],
      ['email', 'worse'],
      ['webhook', 'worse'],
      ['email', 'worse'],
    ]);
  });

  it('keeps subjects of one rule apart, and records a condition without channels', async () => {
    const appId = randomUUID();
    const leaver = (eventId: string) => alert(appId, 'overdue', { rule: 'leaverOverdue', subject: eventId, channels: [] });
    expect(await store.alerts.raise(leaver('e1'))).toEqual({ raised: true, deliveries: [] });
    expect((await store.alerts.raise(leaver('e2'))).raised).toBe(true);
    expect((await store.alerts.raise(leaver('e1'))).raised).toBe(false);
  });

  it('claims due deliveries once per lease, counts attempts, and records failures and deliveries', async () => {
    const appId = randomUUID();
    const { deliveries } = await store.alerts.raise(alert(appId, 'over', { channels: ['webhook'] }));
    const [claimed] = await store.alerts.claimDue({ now: AT, leaseMs: 60_000, limit: 10, ids: deliveries });
    expect(claimed).toMatchObject({ id: deliveries[0], attempts: 1, nextAttemptAt: '2026-03-01T10:01:00.000Z', deliveredAt: null });
    expect(await store.alerts.claimDue({ now: AT, leaseMs: 60_000, limit: 10, ids: deliveries })).toEqual([]);
    await store.alerts.failed(claimed!.id, 'HTTP 503', '2026-03-01T10:00:30.000Z');
    expect(await store.alerts.claimDue({ now: '2026-03-01T10:00:29.000Z', leaseMs: 60_000, limit: 10, ids: deliveries })).toEqual([]);
    const [again] = await store.alerts.claimDue({ now: '2026-03-01T10:00:30.000Z', leaseMs: 60_000, limit: 10, ids: deliveries });
    expect(again).toMatchObject({ attempts: 2, lastError: 'HTTP 503' });
    await store.alerts.delivered(again!.id, '2026-03-01T10:00:31.000Z');
    expect(await store.alerts.claimDue({ now: '2026-03-02T00:00:00.000Z', leaseMs: 60_000, limit: 10, ids: deliveries })).toEqual([]);
    expect((await store.alerts.list(appId))[0]).toMatchObject({ deliveredAt: '2026-03-01T10:00:31.000Z', lastError: null });
  });
});
