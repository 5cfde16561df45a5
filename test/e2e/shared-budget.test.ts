/**
 * One rate budget per target across worker processes: three workers on one task queue and one
 * PostgreSQL serve an app whose target sits behind a proxy that allows 20 requests in any second
 * (and answers 429 past that). The app's budget is 15 requests per second with a burst of 5, so
 * together the workers may send at most 20 in a second only if they share it: its initial cycle
 * and provisioning on demand run at once, on whichever workers Temporal hands them to, and the
 * target never has to refuse a request.
 */
import type { ChildProcess } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshScimTenant, testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { ONE_REQUEST_PER_CREATE, appBody, startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';
import { startWorkerChild } from '../support/worker-child';

const USERS = 80;
const ON_DEMAND = 30;
const LIMIT = 20;
let h: Harness;
let proxy: FaultProxy;
const children: ChildProcess[] = [];
/** The API's log: a refused on-demand request shows its cause in the test's output. */
const serviceLog: string[] = [];
const logDestination = new Writable({
  write(chunk, _encoding, done) {
    serviceLog.push(String(chunk));
    done();
  },
});

beforeAll(async () => {
  [h, proxy] = await Promise.all([
    startHarness({ worker: false, logDestination }),
    startFaultProxy({ target: new URL(testEnv.scimUrl).origin, rateLimit: { requests: LIMIT } }),
  ]);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await h?.close();
  await proxy?.stop();
});

/** The most requests that arrived within any one second. */
function busiestSecond(arrivals: number[]): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let most = 0;
  for (let first = 0, last = 0; last < sorted.length; last += 1) {
    while (sorted[last]! - sorted[first]! >= 1000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('three workers and one target', () => {
  it('stay within the target’s limit together, with no request refused', async () => {
    await Promise.all([0, 1, 2].map(() => startWorkerChild(h, children, { WORKER_CONCURRENCY: '4' })));
    const people = addPeople(h.graph, USERS, 31_000);
    const tenant = `${proxy.url}${new URL(freshScimTenant()).pathname}`;
    const created = await h.api(
      'POST',
      '/api/v1/apps',
      appBody(h.graph, tenant, {
        ...ONE_REQUEST_PER_CREATE,
        target: {
          type: 'scim',
          baseUrl: tenant,
          auth: { type: 'bearer', token: testEnv.scimToken },
          rateLimit: { requestsPerSecond: 15, burst: 5, concurrency: 4 },
        },
      }),
    );
    expect(created.status).toBe(201);
    const appId = created.body.id as string;

    // While the initial cycle runs, people are provisioned on demand, from the other end of the list.
    const onDemand = await Promise.all(
      people.slice(-ON_DEMAND).map((person) => h.api('POST', `/api/v1/apps/${appId}/provision-on-demand`, { objectId: person.id })),
    );
    const refused = onDemand.filter((answer) => answer.status !== 200);
    expect(
      refused.map((answer) => answer.body),
      serviceLog.filter((line) => /"level":(50|60)/.test(line)).join(''),
    ).toEqual([]);
    const cycle = await h.waitForCycle(appId, null, 120_000);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);

    const users = await h.targetUsers(new URL(freshScimTenant()).origin + new URL(tenant).pathname);
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName)).size).toBe(USERS);

    const ours = proxy.requests.filter((r) => r.path.startsWith(new URL(tenant).pathname));
    expect(ours.filter((r) => r.status === 429)).toEqual([]);
    expect(busiestSecond(ours.map((r) => proxy.timingOf(r).arrivedAt))).toBeLessThanOrEqual(LIMIT);
    // Every worker that served the app took its share on the board (which workers Temporal gives work to is its choice).
    const members = await h.store.db.selectFrom('rate_budget_members').select('worker_id').where('app_id', '=', appId).execute();
    expect(members.length).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
