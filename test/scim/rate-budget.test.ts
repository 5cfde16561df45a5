/**
 * One rate budget per target, against the real scim2-server behind the fault proxy. The proxy
 * counts the requests in flight and stamps when each arrived and was answered, on its own
 * clock; assertions use those stamps, with wide margins, never the speed of the run.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_USER, ScimClient, scimClientFor, type ScimResource } from '../../src/scim/index';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { freshScimTenant, testEnv, uniqueName } from '../support/env';

function newUser(userName: string): ScimResource {
  return { schemas: [SCHEMA_USER], userName };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('one rate budget per target, through the fault proxy', () => {
  let proxy: FaultProxy;
  let tenant: string;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: testEnv.scimUrl });
  });
  afterAll(() => proxy.stop());
  beforeEach(() => {
    tenant = freshScimTenant('rate');
    proxy.requests.length = 0;
    proxy.resetMaxInFlight();
  });

  /** The client a worker builds for an app with these limits: its budget comes from the process registry. */
  function appClient(rateLimit: { concurrency?: number; requestsPerSecond?: number }): ScimClient {
    const app = {
      id: uniqueName('app'),
      target: { type: 'scim' as const, baseUrl: `${proxy.url}${new URL(tenant).pathname}`, auth: { type: 'bearer' as const }, rateLimit },
    };
    return scimClientFor(app, { targetToken: testEnv.scimToken });
  }

  async function tenantUserNames(): Promise<string[]> {
    const direct = new ScimClient({ baseUrl: tenant, authorization: () => `Bearer ${testEnv.scimToken}` });
    return (await direct.listUsers({ count: 1000 })).Resources.map((user) => String(user.userName)).sort();
  }

  it('with concurrency 2 the target never has more than 2 requests in flight', async () => {
    const scim = appClient({ concurrency: 2 });
    // Each answer is held back, so requests sent together overlap at the proxy.
    proxy.plan({ times: 8, fault: { kind: 'delay', ms: 200 } });
    const names = Array.from({ length: 8 }, (_, i) => `c${i}@example.com`);
    await Promise.all(names.map((name) => scim.createUser(newUser(name))));

    expect(proxy.requests.map((request) => request.status)).toEqual(Array.from({ length: 8 }, () => 201));
    expect(proxy.maxInFlight).toBe(2);
    expect(await tenantUserNames()).toEqual(names);
  });

  it('without a budget the same requests overlap beyond 2 at the proxy (the counter sees overlap)', async () => {
    const scim = new ScimClient({ baseUrl: `${proxy.url}${new URL(tenant).pathname}`, authorization: () => `Bearer ${testEnv.scimToken}` });
    proxy.plan({ times: 8, fault: { kind: 'delay', ms: 300 } });
    await Promise.all(Array.from({ length: 8 }, (_, i) => scim.createUser(newUser(`free${i}@example.com`))));
    expect(proxy.maxInFlight).toBeGreaterThan(2);
  });

  it('a 429 with Retry-After 0.3 on one request pauses the others, and everything completes', async () => {
    const scim = appClient({ concurrency: 4 });
    // Three slow requests hold three of the four slots well past the pause.
    proxy.plan({ times: 3, match: { method: 'GET', pathIncludes: 'slow' }, fault: { kind: 'delay', ms: 1500 } });
    const slow = Promise.all([1, 2, 3].map((i) => scim.findUsers('userName', `slow${i}@example.com`)));
    await until(() => proxy.inFlight === 3);

    // The fourth slot goes to a request the target throttles; five writes wait behind it.
    proxy.plan({
      times: 1,
      match: { method: 'GET', pathIncludes: 'throttled' },
      fault: { kind: 'status', status: 429, retryAfter: '0.3' },
    });
    const throttled = scim.findUsers('userName', 'throttled@example.com');
    const names = Array.from({ length: 5 }, (_, i) => `w${i}@example.com`);
    const writes = Promise.all(names.map((name) => scim.createUser(newUser(name))));
    expect(await Promise.all([slow, throttled, writes])).toEqual([[[], [], []], [], expect.any(Array)]);

    const refused = proxy.requests.filter((request) => request.status === 429);
    expect(refused).toHaveLength(1);
    const pauseStart = proxy.timingOf(refused[0]!).doneAt!;
    // Without the budget reacting to the 429 a write would take the freed slot at once. 300 ms asked, 250 checked.
    const during = proxy.requests.filter((request) => {
      const { arrivedAt } = proxy.timingOf(request);
      return arrivedAt > pauseStart && arrivedAt < pauseStart + 250;
    });
    expect(during).toEqual([]);

    // Every request once, the throttled one twice.
    expect(proxy.requests.map((request) => `${request.method} ${request.status}`).sort()).toEqual(
      [...Array.from({ length: 4 }, () => 'GET 200'), 'GET 429', ...Array.from({ length: 5 }, () => 'POST 201')].sort(),
    );
    expect(await tenantUserNames()).toEqual(names);
  });

  it('when every request in flight is throttled, nothing else is sent until the Retry-After has passed', async () => {
    const scim = appClient({ concurrency: 4 });
    proxy.plan({
      times: 4,
      match: { method: 'GET', pathIncludes: 'throttled' },
      fault: { kind: 'status', status: 429, retryAfter: '0.3' },
    });
    const finds = Promise.all([1, 2, 3, 4].map((i) => scim.findUsers('userName', `throttled${i}@example.com`)));
    const names = Array.from({ length: 5 }, (_, i) => `x${i}@example.com`);
    const writes = Promise.all(names.map((name) => scim.createUser(newUser(name))));
    expect(await Promise.all([finds, writes])).toEqual([[[], [], [], []], expect.any(Array)]);

    const refused = proxy.requests.filter((request) => request.status === 429);
    expect(refused).toHaveLength(4);
    // The first refusal the client can have read; every other request waits out the pause it set,
    // whereas after one-at-a-time alone the first write would follow the last refusal at once.
    const pauseStart = Math.min(...refused.map((request) => proxy.timingOf(request).doneAt!));
    const later = proxy.requests.filter((request) => !refused.includes(request));
    expect(later).toHaveLength(4 + 5);
    expect(later.filter((request) => proxy.timingOf(request).arrivedAt < pauseStart + 250)).toEqual([]);
    expect(await tenantUserNames()).toEqual(names);
  });
});
