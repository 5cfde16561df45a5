/**
 * Pausing a job, quarantining it or deleting its app stops its traffic at once: the running
 * cycle is cancelled, what was in flight is recorded, and the target receives no further
 * request. The cycle ends failed (stopped) and quarantines nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;
let proxy: FaultProxy;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: testEnv.scimUrl });
  h = await startHarness({ concurrency: 4 });
});

afterAll(async () => {
  await h?.close();
  await proxy?.stop();
});

/** Requests the proxy received for one tenant. */
const requestsTo = (tenant: string) => proxy.requests.filter((r) => r.path.startsWith(new URL(tenant).pathname)).length;

async function until(read: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('stopping a job', () => {
  it.each([
    ['pause', 'paused'],
    ['quarantine', 'quarantined'],
  ])(
    '%s stops the running cycle and its traffic',
    async (action, state) => {
      const people = addPeople(h.graph, 300, action === 'pause' ? 11_000 : 12_000);
      const tenant = `${proxy.url}/s${Date.now().toString(36)}/v2`;
      proxy.plan({ times: 100_000, match: { method: 'POST', pathIncludes: new URL(tenant).pathname }, fault: { kind: 'delay', ms: 250 } });
      const app = await h.createApp({
        target: { type: 'scim', baseUrl: tenant, auth: { type: 'bearer', token: testEnv.scimToken } },
        capabilities: { overrides: { bulk: { supported: false } } },
      });
      await until(() => requestsTo(tenant) > 20);
      const stoppedAt = Date.now();
      expect((await h.api('POST', `/api/v1/apps/${app.id}/${action}`)).status).toBe(200);

      const cycle = await h.waitForCycle(app.id, null, 30_000);
      expect(Date.now() - stoppedAt).toBeLessThan(20_000);
      expect(cycle).toMatchObject({ state: 'failed', error: expect.stringContaining('stopped') });
      const sent = requestsTo(tenant);
      await new Promise((r) => setTimeout(r, 4_000));
      expect(requestsTo(tenant)).toBe(sent);
      expect((await h.targetUsers(tenant)).length).toBeLessThan(people.length);
      const status = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body;
      expect(status).toMatchObject({ state, currentCycle: null });
      if (action === 'quarantine') expect(status.quarantine).toMatchObject({ reason: 'QuarantinedByAdmin', nextAttempt: null });
    },
    90_000,
  );
});
