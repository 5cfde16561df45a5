/** Testing an app's connection to its target through the API, against the real scim2-server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshScimTenant } from '../support/env';
import { startHarness, type Harness } from '../support/harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe('POST /apps/{id}/test-connection', () => {
  it('reports every check, keeps the discovered profile and applies the overrides', async () => {
    const app = await h.createApp();
    const tested = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(tested.status).toBe(200);
    expect(tested.body.ok).toBe(true);
    expect(tested.body.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`)).toEqual([
      'authenticate:passed',
      'match query:passed',
      'service provider config:passed',
      'resource types:passed',
      'schemas:passed',
    ]);
    expect(tested.body.profile).toMatchObject({ patch: true, etag: true, filter: { supported: true } });

    const changed = await h.api('PATCH', `/api/v1/apps/${app.id}`, {
      capabilities: { overrides: { patch: false, maxMembersPerPatch: 50 } },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.capabilities.discovered).toMatchObject({ patch: true });
    const again = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(again.body.profile).toMatchObject({ patch: false, maxMembersPerPatch: 50, etag: true });

    const bad = await h.api('PATCH', `/api/v1/apps/${app.id}`, { capabilities: { overrides: { filter: { maxResult: 5 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toMatch(/^capabilities\.overrides\.filter/);
  });

  it('fails the authentication check for a wrong token without showing it', async () => {
    const app = await h.createApp({
      target: { type: 'scim', baseUrl: freshScimTenant(), auth: { type: 'bearer', token: 'not-the-token-0123456789' } },
    });
    const tested = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.checks[0]).toMatchObject({ name: 'authenticate', status: 'failed' });
    expect(JSON.stringify(tested.body)).not.toContain('not-the-token-0123456789');
  });
});
