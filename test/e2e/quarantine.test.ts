/**
 * Failures an operator sees and the service handles: a target that fails every write and a
 * directory that cannot be reached quarantine the job with Entra's reason and schedule, the
 * status says why (the last error with its peer and step), and an alert goes out once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlertWebhook, type AlertWebhook } from '../support/alert-webhook';
import { testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startHarness, type Harness } from '../support/harness';
import { addPeople } from '../support/people';

let h: Harness;
let webhook: AlertWebhook;
let proxy: FaultProxy;

beforeAll(async () => {
  webhook = await startAlertWebhook();
  proxy = await startFaultProxy({ target: testEnv.scimUrl });
  h = await startHarness({ alerts: { webhook } });
});

afterAll(async () => {
  await h?.close();
  await proxy?.stop();
  webhook?.close();
});

const HOUR = 3_600_000;

describe('quarantine', () => {
  it('quarantines a job whose target fails every write, says why, and lifts it with the next good cycle', async () => {
    addPeople(h.graph, 3, 9300);
    const tenant = `${proxy.url}/q${Date.now().toString(36)}/v2`;
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: tenant, auth: { type: 'bearer', token: testEnv.scimToken } },
      capabilities: { overrides: { bulk: { supported: false } } },
    });
    const first = await h.waitForCycle(app.id);
    expect(first).toMatchObject({ state: 'succeeded' });

    addPeople(h.graph, 4, 9310);
    proxy.plan({ times: 1_000, match: { method: 'POST' }, fault: { kind: 'status', status: 500 } });
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const second = await h.waitForCycle(app.id, first.id);
    expect(second).toMatchObject({ state: 'failed', counts: { failed: 4, created: 0 } });
    // Each failed object is logged once for its try.
    const failures = await h.api('GET', `/api/v1/apps/${app.id}/provisioning-logs?status=Failure&cycleId=${encodeURIComponent(second.id)}`);
    expect(new Set(failures.body.items.map((e: { sourceId: string }) => e.sourceId)).size).toBe(failures.body.items.length);

    const status = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body;
    expect(status).toMatchObject({
      state: 'quarantined',
      quarantine: { reason: 'EncounteredQuarantineException', seriesCount: 1 },
      lastError: {
        peer: 'target',
        step: 'write target',
        cycleId: second.id,
        code: expect.any(String),
        message: expect.stringContaining('500'),
      },
    });
    expect(Date.parse(status.quarantine.nextAttempt) - Date.parse(status.quarantine.currentBegan)).toBe(6 * HOUR);
    expect(status.nextRunAt).toBe(status.quarantine.nextAttempt);
    expect(webhook.alerts.filter((a) => a.appId === app.id)).toEqual([
      expect.objectContaining({ type: 'quarantine', reason: 'EncounteredQuarantineException' }),
    ]);

    // Quarantined: a run request waits for the next attempt; a resume lifts the quarantine.
    proxy.clear();
    expect((await h.api('POST', `/api/v1/apps/${app.id}/resume`)).status).toBe(200);
    await h.api('POST', `/api/v1/apps/${app.id}/run`);
    const third = await h.waitForCycle(app.id, second.id);
    expect(third.state).not.toBe('failed');
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body).toMatchObject({ state: 'active', quarantine: null });
  });

  it('bounds the retries of a directory that cannot be reached, shows the error while retrying, then quarantines', async () => {
    const [ada] = addPeople(h.graph, 1, 9400);
    const app = await h.createApp({
      source: h.unreachableSource(),
      quarantine: { unreachableMinutes: 0.25 },
    });
    expect(ada).toBeDefined();
    // Within seconds of the first failure, while the activity still retries, the status says why.
    const deadline = Date.now() + 30_000;
    let retrying: any;
    while (Date.now() < deadline) {
      retrying = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body;
      if (retrying.lastError) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(retrying).toMatchObject({ state: 'active', lastError: { peer: 'identity platform', step: 'token' } });
    expect(retrying.currentCycle).toMatchObject({ phase: 'users' });

    const cycle = await h.waitForCycle(app.id, null, 60_000);
    expect(cycle).toMatchObject({ state: 'failed', error: expect.stringContaining('more than 0.25 minutes') });
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body).toMatchObject({
      state: 'quarantined',
      quarantine: { reason: 'EncounteredQuarantineException', seriesCount: 1 },
      lastError: { peer: 'identity platform', step: 'token' },
    });
  }, 90_000);

  it('quarantines a job whose target refuses the token, naming the target', async () => {
    addPeople(h.graph, 2, 9500);
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: `${testEnv.scimUrl}/refused/v2`, auth: { type: 'bearer', token: 'not-the-token' } },
    });
    const cycle = await h.waitForCycle(app.id);
    expect(cycle).toMatchObject({ state: 'failed' });
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body).toMatchObject({
      state: 'quarantined',
      quarantine: { reason: 'EncounteredQuarantineException' },
      lastError: { peer: 'target', step: 'write target', code: 'Unauthorized' },
    });
  });

  it('quarantines a job when too large a share of its objects failed (EncounteredEscrowProportionThreshold)', async () => {
    const people = addPeople(h.graph, 6, 9600);
    const tenant = `${proxy.url}/p${Date.now().toString(36)}/v2`;
    // Half of the creates fail (the target answers 500 to them): half the cycle, not all of it.
    for (const p of people.slice(0, 3)) {
      proxy.plan({
        times: 10,
        match: { method: 'POST', bodyIncludes: String(p.userPrincipalName) },
        fault: { kind: 'status', status: 500 },
      });
    }
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: tenant, auth: { type: 'bearer', token: testEnv.scimToken } },
      capabilities: { overrides: { bulk: { supported: false } } },
      // Users of the other tests are out of this app's scope and count as skipped operations.
      quarantine: { minimumFailures: 3, failureShare: 0.01 },
      scoping: { user: { groups: [{ clauses: [{ attribute: 'userPrincipalName', operator: 'REGEX MATCH', value: '^user96\\d\\d@' }] }] } },
    });
    const cycle = await h.waitForCycle(app.id);
    expect(cycle).toMatchObject({ state: 'partial', counts: { created: 3, failed: 3 } });
    expect((await h.api('GET', `/api/v1/apps/${app.id}/status`)).body).toMatchObject({
      state: 'quarantined',
      quarantine: { reason: 'EncounteredEscrowProportionThreshold', detail: expect.stringMatching(/^3 of \d+ operations failed/) },
    });
    proxy.clear();
  });

  it('quarantines a job whose directory refuses its token (Graph answers 401), naming the source', async () => {
    addPeople(h.graph, 1, 9700);
    h.graph.failNext(100_000, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
    try {
      const app = await h.createApp({ quarantine: { unreachableMinutes: 0.25 } });
      const cycle = await h.waitForCycle(app.id, null, 60_000);
      expect(cycle).toMatchObject({ state: 'failed' });
      const status = (await h.api('GET', `/api/v1/apps/${app.id}/status`)).body;
      expect(status).toMatchObject({
        state: 'quarantined',
        quarantine: { reason: 'EncounteredQuarantineException', seriesCount: 1 },
        lastError: { peer: 'source', step: 'read source', message: expect.stringContaining('Invalid audience') },
      });
      expect(webhook.alerts.filter((a) => a.appId === app.id)).toEqual([
        expect.objectContaining({ type: 'quarantine', reason: 'EncounteredQuarantineException' }),
      ]);
    } finally {
      h.graph.clearFailures();
    }
  }, 90_000);
});
