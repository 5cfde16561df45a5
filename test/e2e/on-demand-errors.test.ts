/**
 * Provisioning and previewing one object answer every known failure on its own: an object id
 * that is not a GUID, an object not in the directory, a paused job, and a peer that refuses or
 * does not answer (named, with its message, within 30 s). None of them is a 500.
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
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
  await proxy?.stop();
});

describe('on-demand errors', () => {
  it('answers 400, 404 and 409 naming the problem', async () => {
    const app = await h.createApp();
    await h.waitForCycle(app.id);
    const [ada] = addPeople(h.graph, 1, 9100);

    for (const path of ['provision-on-demand', 'preview']) {
      const notGuid = await h.api('POST', `/api/v1/apps/${app.id}/${path}`, { objectId: 'jdoe' });
      expect(notGuid.status).toBe(400);
      expect(notGuid.body.error).toMatchObject({ code: 'ValidationFailed', fields: [{ path: 'objectId' }] });

      const unknown = await h.api('POST', `/api/v1/apps/${app.id}/${path}`, { objectId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toMatchObject({
        code: 'NotFound',
        message: expect.stringContaining('00000000-0000-4000-8000-000000000000'),
      });
    }

    expect((await h.api('POST', `/api/v1/apps/${app.id}/pause`)).status).toBe(200);
    const paused = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: ada!.id });
    expect(paused.status).toBe(409);
    expect(paused.body.error).toMatchObject({ code: 'JobPaused' });
    expect((await h.api('POST', `/api/v1/apps/${app.id}/resume`)).status).toBe(200);
    const done = await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: ada!.id });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'Success', action: 'Create' });
  });

  it('answers 502 naming the directory when it refuses, and 503 naming the identity platform when it cannot be reached', async () => {
    const [grace] = addPeople(h.graph, 1, 9200);
    const app = await h.createApp();
    await h.waitForCycle(app.id);

    h.graph.failNext(10, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const refused = await h.api('POST', `/api/v1/apps/${app.id}/preview`, { objectId: grace!.id });
    expect(refused.status).toBe(502);
    expect(refused.body.error).toMatchObject({ peer: 'source', detail: expect.stringContaining('Insufficient privileges') });

    // A tenant whose identity platform nobody answers for: a closed loopback port.
    const unreachable = await h.createApp({
      source: h.unreachableSource(),
    });
    const started = Date.now();
    const silent = await h.api('POST', `/api/v1/apps/${unreachable.id}/provision-on-demand`, { objectId: grace!.id });
    expect(Date.now() - started).toBeLessThan(35_000);
    expect(silent.status).toBe(503);
    expect(silent.body.error).toMatchObject({ peer: expect.stringMatching(/identity platform|source/), message: expect.any(String) });
  }, 90_000);

  it('answers a request whose app is deleted while it runs with its outcome or 404, never a 5xx', async () => {
    h.graph.clearFailures(); // what the test before injected and did not use
    const [lin] = addPeople(h.graph, 1, 9250);
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: `${proxy.url}/d${Date.now().toString(36)}/v2`, auth: { type: 'bearer', token: testEnv.scimToken } },
    });
    await h.waitForCycle(app.id);
    proxy.plan({ times: 10, match: { method: 'GET', pathIncludes: '/Users' }, fault: { kind: 'delay', ms: 3_000 } });
    const request = h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: lin!.id });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await h.api('DELETE', `/api/v1/apps/${app.id}`)).status).toBe(204);
    // Either the request got through before the app was gone, or it is answered as for an app that does not exist: never a 5xx.
    const answer = await request;
    expect([200, 404], JSON.stringify(answer.body)).toContain(answer.status);
    if (answer.status === 404) expect(answer.body.error).toMatchObject({ code: 'NotFound', message: 'the app does not exist' });
    expect((await h.api('POST', `/api/v1/apps/${app.id}/provision-on-demand`, { objectId: lin!.id })).status).toBe(404);
    proxy.clear();
  });
});
