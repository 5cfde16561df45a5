/**
 * Testing an app's connection through the API: its target against the real scim2-server, its
 * source against the Graph fake (a token, users, the service principal and its assignments).
 */
import { createServer } from 'node:net';
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

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const summary = (checks: { name: string; peer: string; status: string }[]) => checks.map((c) => `${c.peer}/${c.name}:${c.status}`);

describe('POST /apps/{id}/test-connection: the source', () => {
  it('gets a token and reads one page of users, and for scope assigned the service principal and its assignments', async () => {
    const all = await h.createApp();
    const tested = await h.api('POST', `/api/v1/apps/${all.id}/test-connection`);
    expect(tested.body.ok).toBe(true);
    expect(tested.body.source.ok).toBe(true);
    expect(summary(tested.body.source.checks)).toEqual(['identity platform/token:passed', 'source/read users:passed']);
    expect(h.graph.requests.map((r) => r.path)).toContain('/v1.0/users?$top=1&$select=id');

    h.graph.assign(h.graph.addUser().id, 'User');
    const assigned = await h.createApp({
      source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret },
    });
    const again = await h.api('POST', `/api/v1/apps/${assigned.id}/test-connection`);
    expect(again.body.ok).toBe(true);
    expect(summary(again.body.source.checks)).toEqual([
      'identity platform/token:passed',
      'source/read users:passed',
      'source/read service principal:passed',
      'source/read assignments:passed',
    ]);
    expect(again.body.checks.map((c: { peer: string }) => c.peer)).toEqual(Array(5).fill('target'));
  });

  it("fails the check whose read Graph refuses, with Graph's own message and the permission it needs", async () => {
    const app = await h.createApp({
      source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: h.graph.clientSecret },
    });
    // The app's first cycle reads Graph too: the refusal is for the connection test alone.
    await h.waitForCycle(app.id);
    h.graph.failNext(1, 403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    const tested = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(tested.body.ok).toBe(false);
    expect(tested.body.source.ok).toBe(false);
    expect(summary(tested.body.source.checks)).toEqual([
      'identity platform/token:passed',
      'source/read users:failed',
      'source/read service principal:passed',
      'source/read assignments:passed',
    ]);
    expect(tested.body.source.checks[1].detail).toMatch(
      /^GET \/users\?\$top=1&\$select=id failed: Microsoft Graph answered 403: Authorization_RequestDenied: Insufficient privileges to complete the operation\. \(the app registration needs the application permission User\.Read\.All\)$/,
    );
    expect(tested.body.checks.every((c: { status: string }) => c.status === 'passed')).toBe(true);
  });

  it("fails the token check for a wrong client secret with the identity platform's message, never the secret", async () => {
    const app = await h.createApp({
      source: { ...h.graph.sourceConfig(), clientSecret: 'not-the-client-secret-0123456789' },
    });
    const tested = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(tested.body.ok).toBe(false);
    expect(summary(tested.body.source.checks)).toEqual(['identity platform/token:failed', 'source/read users:failed']);
    const [token, users] = tested.body.source.checks;
    expect(token.detail).toMatch(/^no token: The token endpoint refused the app's client credentials \(invalid_client, AADSTS7000215\)/);
    expect(token.detail).toContain('Invalid client secret provided');
    expect(users.detail).toMatch(/^not checked: no token/);
    expect(JSON.stringify(tested.body)).not.toContain('not-the-client-secret-0123456789');
  });

  it('fails the source checks at once for a source that does not answer', async () => {
    const port = await closedPort();
    const app = await h.createApp({
      source: {
        ...h.graph.sourceConfig({ authorityHost: `https://localhost:${port}`, graphBaseUrl: `https://localhost:${port}/v1.0` }),
        clientSecret: h.graph.clientSecret,
      },
    });
    const started = Date.now();
    const tested = await h.api('POST', `/api/v1/apps/${app.id}/test-connection`);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(tested.status).toBe(200);
    expect(summary(tested.body.source.checks)).toEqual(['identity platform/token:failed', 'source/read users:failed']);
    expect(tested.body.source.checks[0].detail).toMatch(/^no token: No token from the identity platform/);
    // MSAL's own words: it could not read the authority's endpoints.
    expect(tested.body.source.checks[0].detail).toMatch(/endpoints_resolution_error/);
    expect(tested.body.checks[0]).toMatchObject({ name: 'authenticate', status: 'passed' });
  });
});
