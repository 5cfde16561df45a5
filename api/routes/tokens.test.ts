/**
 * Roles end to end through the API on an embedded store: tokens made by the bootstrap admin,
 * what each role may and may not do (403 naming the permission), the audit trail an auditor
 * reads, revocation, and the limit on failed authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema, splitSecrets } from '../../src/config/app';
import { createLogger } from '../../src/log/index';
import { openDatabase, type Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';

const ADMIN = 'bootstrap-admin-token-for-tests-9f8e7d6c5b4a';
let store: Store;
let api: ReturnType<typeof createApi>;
let appId: string;
let state: 'active' | 'paused' = 'active';

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const response = await api.request(`/api/v1${path}`, {
    method,
    headers: {
      ...(token && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function tokenFor(role: string, name: string): Promise<{ id: string; token: string }> {
  const made = await call(ADMIN, 'POST', '/tokens', { name, role });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  expect(made.body.token).toMatch(/^sfk_[A-Za-z0-9_-]{43}$/);
  return { id: made.body.id, token: made.body.token };
}

beforeAll(async () => {
  store = await openDatabase();
  const jobs = {
    ensure: async () => {},
    status: async () => ({ state, lastCycle: null, currentCycle: null }),
    state: async () => state,
    pause: async () => {
      state = 'paused';
    },
    resume: async () => {
      state = 'active';
    },
  } as unknown as JobControl;
  api = createApi({ store, jobs, adminToken: ADMIN, logger: createLogger({ level: 'silent' }), authFailures: { limit: 5 } });
  const input = {
    displayName: 'Roles app',
    source: { type: 'graph', tenantId: 'contoso.onmicrosoft.com', clientId: 'c1', clientSecret: 'graph-secret' },
    target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'scim-token' } },
  };
  const { config, secrets } = splitSecrets(appInputSchema.parse(input));
  appId = (await store.apps.create(config, secrets)).id;
});

afterAll(async () => {
  await store?.close();
});

describe('roles', () => {
  it('an operator pauses a job but may not change its configuration, and an auditor sees who paused it', async () => {
    const operator = await tokenFor('operator', 'ops-oncall');
    const auditor = await tokenFor('auditor', 'internal-audit');

    const me = await call(operator.token, 'GET', '/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'ops-oncall', role: 'operator' });
    expect(me.body.permissions).toContain('jobs:operate');
    expect(me.body.permissions).not.toContain('apps:write');

    expect((await call(operator.token, 'POST', `/apps/${appId}/pause`)).status).toBe(200);
    const refused = await call(operator.token, 'PATCH', `/apps/${appId}`, { displayName: 'Renamed' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'Forbidden', permission: 'apps:write' });
    expect(refused.body.error.message).toContain('apps:write');
    expect((await store.apps.get(appId))!.displayName).toBe('Roles app');

    // The auditor reads, and may not operate.
    expect((await call(auditor.token, 'GET', `/apps/${appId}`)).status).toBe(200);
    expect((await call(auditor.token, 'POST', `/apps/${appId}/resume`)).status).toBe(403);
    const trail = await call(auditor.token, 'GET', `/audit?app=${appId}`);
    expect(trail.status).toBe(200);
    const pause = trail.body.items.find((entry: any) => entry.action === 'job.pause');
    expect(pause).toMatchObject({
      actor: { id: operator.id, name: 'ops-oncall', role: 'operator' },
      method: 'POST',
      route: '/apps/{id}/pause',
      appId,
      status: 200,
      before: { state: 'active' },
      after: { state: 'paused' },
    });
    // Refused changes are on the record too.
    expect(trail.body.items.find((entry: any) => entry.action === 'app.update')).toMatchObject({
      status: 403,
      actor: { name: 'ops-oncall' },
    });
    // The operator may not read the audit log.
    expect((await call(operator.token, 'GET', '/audit')).status).toBe(403);
  });

  it('a lifecycle token reaches only the events intake', async () => {
    const hr = await tokenFor('lifecycle', 'workday');
    const other = await call(hr.token, 'GET', '/apps');
    expect(other.status).toBe(403);
    expect(other.body.error.permission).toBe('apps:read');
    const intake = await call(hr.token, 'POST', '/lifecycle/events', { events: [] });
    expect(intake.status).not.toBe(401);
    expect(intake.status).not.toBe(403);
  });

  it('only an admin manages tokens; a revoked token is refused with its own message', async () => {
    const operator = await tokenFor('operator', 'short-lived');
    expect((await call(operator.token, 'POST', '/tokens', { name: 'escalate', role: 'admin' })).status).toBe(403);
    const listed = await call(ADMIN, 'GET', '/tokens');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(operator.token);
    expect((await call(ADMIN, 'DELETE', `/tokens/${operator.id}`)).status).toBeLessThan(300);
    const revoked = await call(operator.token, 'GET', '/me');
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('TokenRevoked');
  });

  it('a missing token and a wrong one get different answers, and repeated wrong ones get 429 with Retry-After', async () => {
    const missing = await call(null, 'GET', '/apps');
    const wrong = await call('sfk_not-a-token-of-this-service-00000000000000', 'GET', '/apps');
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(missing.body.error.code).not.toBe(wrong.body.error.code);
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push(await call(`sfk_guess-${i}-000000000000000000000000000000000000`, 'GET', '/apps'));
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
