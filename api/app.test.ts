import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema } from '../src/config/app';
import { createMetrics } from '../src/metrics/index';
import { createLogger } from '../src/log/index';
import { DEFAULT_GROUP_MAPPINGS, DEFAULT_USER_MAPPINGS } from '../src/mapping/index';
import { openDatabase, type Store } from '../src/store/index';
import { createTestDatabase } from '../test/support/database';
import { createApi } from './app';
import type { JobControl } from './jobs';

const TOKEN = 'admin-token-for-tests-0123456789';

/** Records what the API asked of the jobs; the real JobControl is covered end to end. */
function recordingJobs(): JobControl & { calls: string[] } {
  const calls: string[] = [];
  const record = (name: string) => async (appId: string) => {
    calls.push(`${name}:${appId}`);
  };
  return {
    calls,
    ensure: record('ensure'),
    pause: record('pause'),
    resume: record('resume'),
    runNow: record('runNow'),
    allowDeletes: record('allowDeletes'),
    restart: record('restart'),
    quarantine: record('quarantine'),
    stop: record('stop'),
    setInterval: async (appId, minutes) => {
      calls.push(`setInterval:${appId}:${minutes}`);
    },
    status: async () => undefined,
    state: async () => undefined,
    provisionOnDemand: async () => {
      throw new Error('not used here');
    },
    preview: async () => {
      throw new Error('not used here');
    },
  };
}

const validApp = {
  displayName: 'Contoso Slack',
  source: { type: 'graph', tenantId: 'contoso.onmicrosoft.com', clientId: 'c1', clientSecret: 'graph-secret-value', scope: 'all' },
  target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'scim-token-value' } },
};

let store: Store;
let jobs: ReturnType<typeof recordingJobs>;
let app: ReturnType<typeof createApi>;
const metrics = createMetrics({ defaultMetrics: false });

function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  return app.request(path, {
    method,
    headers: {
      ...(token !== null && { authorization: `Bearer ${token}` }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  store = await openDatabase();
  jobs = recordingJobs();
  app = createApi({ store, jobs, adminToken: TOKEN, logger: createLogger({ level: 'silent' }), metrics: metrics.registry });
});

afterAll(async () => {
  await store.close();
});

describe('authentication', () => {
  it.each([
    ['no header', null],
    ['a wrong token', 'wrong-token'],
    ['an empty token', ''],
  ])('refuses %s with 401', async (_name, token) => {
    const response = await call('GET', '/api/v1/apps', undefined, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('serves the OpenAPI document and /healthz without a token, and nothing else', async () => {
    const spec = await call('GET', '/api/v1/openapi.json', undefined, null);
    expect(spec.status).toBe(200);
    expect(((await spec.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    expect((await call('GET', '/healthz', undefined, null)).status).toBe(200);
    expect((await call('GET', '/api/v1/apps', undefined, null)).status).toBe(401);
  });
});

describe('POST /api/v1/apps', () => {
  it('creates an app, starts its job and never echoes a secret', async () => {
    const response = await call('POST', '/api/v1/apps', validApp);
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).not.toContain('graph-secret-value');
    expect(text).not.toContain('scim-token-value');
    const body = JSON.parse(text);
    expect(body).toMatchObject({ displayName: 'Contoso Slack', schedule: { intervalMinutes: 40 }, source: { scope: 'all' } });
    expect(jobs.calls).toContain(`ensure:${body.id}`);
    expect(await store.apps.getSecrets(body.id)).toEqual({ clientSecret: 'graph-secret-value', targetToken: 'scim-token-value' });
    const listed = await (await call('GET', '/api/v1/apps')).text();
    expect(listed).toContain(body.id);
    expect(listed).not.toContain('graph-secret-value');
  });

  it.each<[string, unknown, string[]]>([
    ['a missing displayName', { ...validApp, displayName: undefined }, ['displayName']],
    ['a bad target URL', { ...validApp, target: { ...validApp.target, baseUrl: 'not a url' } }, ['target.baseUrl']],
    [
      'a missing token and tenant',
      { ...validApp, source: { ...validApp.source, tenantId: '' }, target: { ...validApp.target, auth: { type: 'bearer' } } },
      ['source.tenantId', 'target.auth.token'],
    ],
    ['an interval under a minute', { ...validApp, schedule: { intervalMinutes: 0 } }, ['schedule.intervalMinutes']],
    [
      'assigned scope without a service principal',
      { ...validApp, source: { ...validApp.source, scope: 'assigned' } },
      ['source.servicePrincipalId'],
    ],
    ['an unknown source type', { ...validApp, source: { ...validApp.source, type: 'ldap' } }, ['source.type']],
    [
      'a mapping to a broken path',
      { ...validApp, mappings: { user: [{ type: 'direct', source: 'mail', target: 'emails[type eq "work"' }] } },
      ['mappings.user.0.target'],
    ],
  ])('rejects %s with 400 naming the field', async (_name, body, fields) => {
    const response = await call('POST', '/api/v1/apps', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { error: { code: string; fields: { path: string }[] } };
    expect(error.error.code).toBe('ValidationFailed');
    expect(error.error.fields.map((f) => f.path)).toEqual(expect.arrayContaining(fields));
  });

  it('keeps a target rate limit through create and change', async () => {
    const created = (await (
      await call('POST', '/api/v1/apps', {
        ...validApp,
        target: { ...validApp.target, rateLimit: { requestsPerSecond: 10, concurrency: 2 } },
      })
    ).json()) as { id: string; target: unknown };
    expect(created.target).toMatchObject({ rateLimit: { requestsPerSecond: 10, concurrency: 2 } });
    const renamed = (await (await call('PATCH', `/api/v1/apps/${created.id}`, { displayName: 'Throttled' })).json()) as { target: unknown };
    expect(renamed.target).toMatchObject({ rateLimit: { requestsPerSecond: 10, concurrency: 2 } });
    const bad = await call('PATCH', `/api/v1/apps/${created.id}`, { target: { rateLimit: { concurrency: 0 } } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path).toBe('target.rateLimit.concurrency');
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await call('POST', '/api/v1/apps', '{"displayName": ');
    expect(response.status).toBe(400);
  });
});

describe('one app', () => {
  it('changes, controls and deletes an app', async () => {
    const created = (await (await call('POST', '/api/v1/apps', validApp)).json()) as { id: string; configVersion: number };
    const renamed = await call('PATCH', `/api/v1/apps/${created.id}`, { displayName: 'Renamed', schedule: { intervalMinutes: 5 } });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({
      displayName: 'Renamed',
      schedule: { intervalMinutes: 5 },
      configVersion: created.configVersion,
    });
    expect(jobs.calls).toContain(`setInterval:${created.id}:5`);

    const rescoped = (await (
      await call('PATCH', `/api/v1/apps/${created.id}`, {
        mappings: { user: [{ type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 }] },
      })
    ).json()) as { configVersion: number };
    expect(rescoped.configVersion).toBe(created.configVersion + 1);

    const badChange = await call('PATCH', `/api/v1/apps/${created.id}`, { target: { baseUrl: 'ftp:/x' } });
    expect(badChange.status).toBe(400);

    const newSecret = await call('PATCH', `/api/v1/apps/${created.id}`, { target: { auth: { token: 'rotated-token' } } });
    expect(await newSecret.text()).not.toContain('rotated-token');
    expect((await store.apps.getSecrets(created.id)).targetToken).toBe('rotated-token');

    expect((await call('POST', `/api/v1/apps/${created.id}/pause`)).status).toBe(200);
    expect((await call('POST', `/api/v1/apps/${created.id}/run`)).status).toBe(202);
    expect(jobs.calls).toEqual(expect.arrayContaining([`pause:${created.id}`, `runNow:${created.id}`]));
    expect(await (await call('GET', `/api/v1/apps/${created.id}/status`)).json()).toMatchObject({
      state: 'stopped',
      currentCycle: null,
      lastCycle: null,
    });

    expect((await call('DELETE', `/api/v1/apps/${created.id}`)).status).toBe(204);
    expect(jobs.calls).toContain(`stop:${created.id}`);
    expect((await call('GET', `/api/v1/apps/${created.id}`)).status).toBe(404);
  });

  it('answers 404 for unknown apps and 400 for bad log filters', async () => {
    expect((await call('GET', '/api/v1/apps/nope')).status).toBe(404);
    expect((await call('POST', '/api/v1/apps/nope/provision-on-demand', { objectId: 'x' })).status).toBe(404);
    const created = (await (await call('POST', '/api/v1/apps', validApp)).json()) as { id: string };
    expect((await call('POST', `/api/v1/apps/${created.id}/provision-on-demand`, {})).status).toBe(400);
    const badFilter = await call('GET', `/api/v1/apps/${created.id}/provisioning-logs?status=Great&limit=0`);
    expect(badFilter.status).toBe(400);
    const fields = ((await badFilter.json()) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path);
    expect(fields).toEqual(expect.arrayContaining(['status', 'limit']));
    expect((await call('GET', `/api/v1/apps/${created.id}/provisioning-logs?cursor=garbage`)).status).toBe(400);
    const empty = await call('GET', `/api/v1/apps/${created.id}/provisioning-logs`);
    expect(await empty.json()).toEqual({ items: [], nextCursor: null });
  });
});

describe('target auth', () => {
  const oauth2Auth = {
    type: 'oauth2',
    tokenUrl: 'https://login.example.com/oauth2/token',
    clientId: 'scim-client',
    clientSecret: 'oauth-client-secret-value',
    scope: 'scim',
  };
  const basicAuth = { type: 'basic', username: 'scim-bot', password: 'basic-password-value' };
  const withAuth = (auth: unknown) => ({ ...validApp, target: { ...validApp.target, auth } });

  async function create(auth: unknown): Promise<{ id: string; text: string; body: { target: { auth: unknown }; configVersion: number } }> {
    const response = await call('POST', '/api/v1/apps', withAuth(auth));
    expect(response.status).toBe(201);
    const text = await response.text();
    return { text, body: JSON.parse(text), id: JSON.parse(text).id };
  }

  it('creates an app with OAuth 2.0 client credentials, shows the clear part and keeps the secret', async () => {
    const { id, text, body } = await create(oauth2Auth);
    expect(text).not.toContain('oauth-client-secret-value');
    expect(body.target.auth).toEqual({
      type: 'oauth2',
      tokenUrl: 'https://login.example.com/oauth2/token',
      clientId: 'scim-client',
      scope: 'scim',
      clientAuth: 'basic',
    });
    expect(await store.apps.getSecrets(id)).toEqual({
      clientSecret: 'graph-secret-value',
      targetClientSecret: 'oauth-client-secret-value',
    });
    const read = await (await call('GET', `/api/v1/apps/${id}`)).text();
    expect(JSON.parse(read).target.auth).toEqual(body.target.auth);
    expect(read).not.toContain('oauth-client-secret-value');
  });

  it('creates an app with basic auth, showing the username but never the password', async () => {
    const { id, text, body } = await create(basicAuth);
    expect(text).not.toContain('basic-password-value');
    expect(body.target.auth).toEqual({ type: 'basic', username: 'scim-bot' });
    expect(await store.apps.getSecrets(id)).toEqual({ clientSecret: 'graph-secret-value', targetPassword: 'basic-password-value' });
  });

  it.each<[string, unknown, string[]]>([
    ['an unknown auth type', { type: 'digest', token: 't' }, ['target.auth.type']],
    ['OAuth without a client secret', { ...oauth2Auth, clientSecret: undefined }, ['target.auth.clientSecret']],
    [
      'OAuth with a bad token URL and no client id',
      { ...oauth2Auth, tokenUrl: 'ftp://login.example.com/token', clientId: ' ' },
      ['target.auth.tokenUrl', 'target.auth.clientId'],
    ],
    ['OAuth with an unknown client auth', { ...oauth2Auth, clientAuth: 'private_key_jwt' }, ['target.auth.clientAuth']],
    ['basic without a password', { type: 'basic', username: 'scim-bot' }, ['target.auth.password']],
    ['basic with a colon in the username', { ...basicAuth, username: 'scim:bot' }, ['target.auth.username']],
  ])('rejects %s with 400 naming the field', async (_name, auth, fields) => {
    const response = await call('POST', '/api/v1/apps', withAuth(auth));
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain('oauth-client-secret-value');
    expect(text).not.toContain('basic-password-value');
    const error = JSON.parse(text) as { error: { fields: { path: string }[] } };
    expect(error.error.fields.map((f) => f.path).sort()).toEqual([...fields].sort());
  });

  it('rotates the OAuth client secret on PATCH, keeping the rest of the auth', async () => {
    const { id, body: created } = await create(oauth2Auth);
    const rotated = await call('PATCH', `/api/v1/apps/${id}`, { target: { auth: { clientSecret: 'rotated-client-secret-value' } } });
    expect(rotated.status).toBe(200);
    const text = await rotated.text();
    expect(text).not.toContain('rotated-client-secret-value');
    expect(JSON.parse(text)).toMatchObject({ target: { auth: created.target.auth }, configVersion: created.configVersion });
    expect(await store.apps.getSecrets(id)).toEqual({
      clientSecret: 'graph-secret-value',
      targetClientSecret: 'rotated-client-secret-value',
    });

    const changed = (await (
      await call('PATCH', `/api/v1/apps/${id}`, { target: { auth: { clientAuth: 'body', audience: 'https://scim.example.com' } } })
    ).json()) as { target: { auth: unknown } };
    expect(changed.target.auth).toMatchObject({ type: 'oauth2', clientAuth: 'body', audience: 'https://scim.example.com', scope: 'scim' });
    expect((await store.apps.getSecrets(id)).targetClientSecret).toBe('rotated-client-secret-value');
  });

  it('switches the auth type on PATCH, dropping the old credential, and needs the new one', async () => {
    const { id } = await create(oauth2Auth);
    const missing = await call('PATCH', `/api/v1/apps/${id}`, { target: { auth: { type: 'basic', username: 'scim-bot' } } });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path)).toEqual([
      'target.auth.password',
    ]);

    const switched = await call('PATCH', `/api/v1/apps/${id}`, { target: { auth: basicAuth } });
    expect(switched.status).toBe(200);
    expect(((await switched.json()) as { target: { auth: unknown } }).target.auth).toEqual({ type: 'basic', username: 'scim-bot' });
    expect(await store.apps.getSecrets(id)).toEqual({ clientSecret: 'graph-secret-value', targetPassword: 'basic-password-value' });
  });
});

describe('docs', () => {
  it('serves the OpenAPI document and a docs page with local assets', async () => {
    const spec = (await (await call('GET', '/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/apps',
        '/apps/{id}',
        '/apps/{id}/status',
        '/apps/{id}/provision-on-demand',
        '/apps/{id}/provisioning-logs',
      ]),
    );
    const page = await (await call('GET', '/api/v1/docs', undefined, null)).text();
    expect(page).toContain('/api/v1/docs/assets/swagger-ui-bundle.js');
    expect(page).not.toMatch(/https?:\/\/(?!.*localhost)[a-z]/i);
    const asset = await call('GET', '/api/v1/docs/assets/swagger-ui-bundle.js', undefined, null);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
  });
});

describe('restart', () => {
  it("takes Entra's scopes, clears what they name and signals the job; no body is the portal's restart", async () => {
    const created = (await (await call('POST', '/api/v1/apps', validApp)).json()) as { id: string };
    await store.escrow.record(created.id, 'user', 'u1', { kind: 'transient', code: 'Timeout', message: 'slow' }, new Date());
    await store.syncState.set({ appId: created.id, objectType: 'user', deltaLink: 'https://graph/delta', configVersion: 1 });

    const some = await call('POST', `/api/v1/apps/${created.id}/restart`, { scopes: ['Escrows'] });
    expect(some.status).toBe(202);
    expect(await some.json()).toEqual({ id: created.id, accepted: true, scopes: ['Escrows'] });
    expect(await store.escrow.count(created.id)).toBe(0);
    expect(await store.syncState.get(created.id, 'user')).toBeDefined();

    const portal = await call('POST', `/api/v1/apps/${created.id}/restart`);
    expect(portal.status).toBe(202);
    expect(((await portal.json()) as { scopes: string[] }).scopes).toEqual(['QuarantineState', 'Watermark', 'Escrows']);
    expect(await store.syncState.get(created.id, 'user')).toBeUndefined();
    expect(jobs.calls.filter((c) => c === `restart:${created.id}`)).toHaveLength(2);

    const bad = await call('POST', `/api/v1/apps/${created.id}/restart`, { scopes: ['Everything'] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0]!.path).toBe('scopes.0');
  });
});

describe('GET /metrics', () => {
  it('needs the admin token and answers in the Prometheus text format', async () => {
    metrics.objectsProcessed.inc({ app: 'a1', object_kind: 'user', action: 'Create', status: 'Success' }, 3);
    expect((await call('GET', '/metrics', undefined, null)).status).toBe(401);
    expect((await call('GET', '/metrics', undefined, 'wrong-token')).status).toBe(401);
    const response = await call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await response.text()).toContain(
      'scimflow_objects_processed_total{app="a1",object_kind="user",action="Create",status="Success"} 3',
    );
  });

  it('is in the OpenAPI document, at the root, with its 401, 403 and 429, and linked from the index', async () => {
    const spec = (await (await call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, { get?: { servers?: { url: string }[]; responses: Record<string, unknown>; tags: string[] } }>;
    };
    expect(spec.paths['/metrics']?.get).toMatchObject({ servers: [{ url: '/' }], tags: ['service'] });
    expect(Object.keys(spec.paths['/metrics']!.get!.responses).sort()).toEqual(['200', '401', '403', '429']);
    const index = (await (await call('GET', '/api/v1', undefined, null)).json()) as { links: Record<string, string> };
    expect(index.links.metrics).toBe('/metrics');
  });
});

describe('the index', () => {
  it('answers GET /api/v1 without a token, with links to the resources and the docs', async () => {
    const response = await call('GET', '/api/v1', undefined, null);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { links: Record<string, string> };
    expect(body.links).toMatchObject({
      apps: '/api/v1/apps',
      lifecycleEvents: '/api/v1/lifecycle/events',
      expressionFunctions: '/api/v1/expressions/functions',
      openapi: '/api/v1/openapi.json',
      docs: '/api/v1/docs',
    });
  });
});

describe('authentication messages', () => {
  it('tells a missing token from a wrong one, both 401', async () => {
    const missing = (await (await call('GET', '/api/v1/apps', undefined, null)).json()) as { error: { message: string } };
    const empty = (await (await call('GET', '/api/v1/apps', undefined, '')).json()) as { error: { message: string } };
    const wrong = await call('GET', '/api/v1/apps', undefined, 'wrong-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const wrongBody = (await wrong.json()) as { error: { code: string; message: string } };
    expect(missing.error.message).toMatch(/no token: send an Authorization: Bearer <token> header/);
    expect(empty.error.message).toBe(missing.error.message);
    expect(wrongBody.error).toEqual({
      code: 'InvalidToken',
      message: 'the bearer token is not a token of this scimflow (nor its admin token)',
    });
  });
});

describe('bodies', () => {
  const fields = async (response: Response) =>
    ((await response.json()) as { error: { fields: { path: string; message: string }[] } }).error.fields;

  it.each<[string, unknown, string[]]>([
    ['an unknown top-level field', { ...validApp, tenant: 'x' }, ['tenant']],
    ['an unknown source field', { ...validApp, source: { ...validApp.source, tenantID: 'x' } }, ['source.tenantID']],
    [
      'an unknown auth field',
      { ...validApp, target: { ...validApp.target, auth: { ...validApp.target.auth, bearer: 'x' } } },
      ['target.auth.bearer'],
    ],
    ['an unknown schedule field', { ...validApp, schedule: { every: 5 } }, ['schedule.every']],
    [
      'an unknown mapping field',
      { ...validApp, mappings: { user: [{ type: 'direct', source: 'mail', target: 'userName', matching: 1 }] } },
      ['mappings.user.0.matching'],
    ],
    ['an unknown kind of mappings', { ...validApp, mappings: { users: [] } }, ['mappings.users']],
    ['an unknown deprovisioning field', { ...validApp, deprovisioning: { onDelete: 'disable' } }, ['deprovisioning.onDelete']],
    [
      'an unknown field in an Entra scoping filter',
      { ...validApp, scoping: { user: { inputFilterGroups: [], filter: 'x' } } },
      ['scoping.user.filter'],
    ],
  ])('refuses %s on POST /apps with 400 naming it', async (_name, body, paths) => {
    const response = await call('POST', '/api/v1/apps', body);
    expect(response.status).toBe(400);
    expect(await fields(response)).toEqual(paths.map((path) => ({ path, message: 'unknown field' })));
  });

  it('refuses unknown and read-only fields on PATCH, naming them', async () => {
    const created = (await (await call('POST', '/api/v1/apps', validApp)).json()) as { id: string };
    const unknown = await call('PATCH', `/api/v1/apps/${created.id}`, { displayname: 'x', target: { auth: { tokn: 'x' } } });
    expect(unknown.status).toBe(400);
    expect((await fields(unknown)).map((f) => f.path).sort()).toEqual(['displayname', 'target.auth.tokn']);
    const readOnly = await call('PATCH', `/api/v1/apps/${created.id}`, { id: 'x', displayName: 'Renamed' });
    expect(readOnly.status).toBe(400);
    expect(await fields(readOnly)).toEqual([{ path: 'id', message: 'is read-only: leave it out' }]);
    expect(((await (await call('GET', `/api/v1/apps/${created.id}`)).json()) as { displayName: string }).displayName).toBe('Contoso Slack');
  });

  it.each<[string, string, unknown, string]>([
    ['expressions', '/api/v1/expressions/evaluate', { expression: '[a]', sample: {} }, 'sample'],
    ['on demand', '/api/v1/apps/nope/provision-on-demand', { objectId: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11', dryRun: true }, 'dryRun'],
    ['preview', '/api/v1/apps/nope/preview', { objectId: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11', verbose: true }, 'verbose'],
  ])('refuses an unknown field in a %s body with 400 naming it', async (_name, path, body, field) => {
    const response = await call('POST', path, body);
    expect(response.status).toBe(400);
    expect(await fields(response)).toEqual([{ path: field, message: 'unknown field' }]);
  });

  it.each([
    ['text/plain', 'not text/plain'],
    ['application/x-www-form-urlencoded', 'not application/x-www-form-urlencoded'],
    [null, 'the request has none'],
  ])('answers 415 for a body sent as %s, saying to send application/json', async (contentType, sent) => {
    for (const [method, path] of [
      ['POST', '/api/v1/apps'],
      ['POST', '/api/v1/expressions/evaluate'],
      ['POST', '/api/v1/apps/nope/run'],
    ] as const) {
      const response = await app.request(path, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, ...(contentType !== null && { 'content-type': contentType }) },
        // Bytes, so that no content type is added for the body.
        body: new TextEncoder().encode(JSON.stringify(validApp)),
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        error: { code: 'UnsupportedMediaType', message: `send the body as JSON, with Content-Type: application/json (${sent})` },
      });
    }
  });
});

describe('the OpenAPI document', () => {
  it('groups every operation under a declared tag and declares the 401 and 4xx answers it can give', async () => {
    const spec = (await (await call('GET', '/api/v1/openapi.json')).json()) as {
      tags: { name: string }[];
      paths: Record<string, Record<string, any>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const tags = spec.tags.map((tag) => tag.name);
    expect(tags).toEqual(expect.arrayContaining(['apps', 'provisioning logs', 'lifecycle', 'expressions', 'on demand', 'connection']));
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(15);
    for (const { path, method, op } of operations) {
      const where = `${method} ${path}`;
      expect(op.tags, where).toHaveLength(1);
      expect(tags, where).toContain(op.tags[0]);
      const answers = Object.keys(op.responses);
      if (path !== '/') expect(answers, where).toContain('401');
      if (op.requestBody) expect(answers, where).toEqual(expect.arrayContaining(['400', '415']));
      if (op.parameters?.length) expect(answers, where).toContain('400');
      // PUT /apps/{id}/config creates an app that is not there yet, so it has no 404 to give.
      if (path.includes('{id}') && `${method} ${path}` !== 'put /apps/{id}/config') expect(answers, where).toContain('404');
    }
    expect(spec.paths['/']!.get.security).toEqual([]);
  });

  it('carries real examples on request bodies', async () => {
    const spec = (await (await call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, any>>;
      components: { schemas: Record<string, any> };
    };
    const example = (path: string, method: string) => {
      const media = spec.paths[path]![method].requestBody.content['application/json'];
      const schema = media.schema.$ref ? spec.components.schemas[media.schema.$ref.split('/').at(-1)] : media.schema;
      return media.example ?? schema.example;
    };
    const created = appInputSchema.safeParse(example('/apps', 'post'));
    expect(created.success).toBe(true);
    expect(example('/apps/{id}', 'patch')).toMatchObject({ displayName: expect.any(String) });
    expect(example('/expressions/evaluate', 'post')).toMatchObject({ expression: expect.any(String) });
    expect(example('/lifecycle/events', 'post').events[0]).toMatchObject({ eventId: expect.any(String), type: 'leaver' });
  });
});

describe("an app's mappings", () => {
  it('shows the effective user and group mappings, the defaults marked as defaults', async () => {
    const created = (await (await call('POST', '/api/v1/apps', validApp)).json()) as any;
    expect(created.mappings).toEqual({ user: [...DEFAULT_USER_MAPPINGS], group: [...DEFAULT_GROUP_MAPPINGS] });
    expect(created.mappingDefaults).toEqual({ user: true, group: true });
    expect((await (await call('GET', `/api/v1/apps/${created.id}`)).json()) as any).toMatchObject({
      mappings: created.mappings,
      mappingDefaults: { user: true, group: true },
    });

    const own = [{ type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 }];
    const changed = (await (await call('PATCH', `/api/v1/apps/${created.id}`, { mappings: { user: own } })).json()) as any;
    expect(changed.mappings.user).toEqual([{ ...own[0], applyOn: 'always', clearWhenEmpty: false }]);
    expect(changed.mappings.group).toEqual([...DEFAULT_GROUP_MAPPINGS]);
    expect(changed.mappingDefaults).toEqual({ user: false, group: true });
    const listed = (await (await call('GET', '/api/v1/apps')).json()) as { items: any[] };
    expect(listed.items.find((item) => item.id === created.id)).toMatchObject({ mappingDefaults: { user: false, group: true } });
  });
});

describe.each([
  ['PGlite', () => openDatabase()],
  [
    'PostgreSQL',
    async () => {
      const database = await createTestDatabase('scimflow_api');
      const opened = await openDatabase({ url: database.url, secretKey: randomBytes(32) });
      const close = opened.close.bind(opened);
      return Object.assign(opened, { close: () => close().then(() => database.drop()) });
    },
  ],
])('input the store cannot hold, on %s', (_backend, open) => {
  let backendStore: Store;
  let api: ReturnType<typeof createApi>;
  let appId: string;

  beforeAll(async () => {
    backendStore = await open();
    api = createApi({ store: backendStore, jobs: recordingJobs(), adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });
    appId = ((await (await send('POST', '/api/v1/apps', validApp)).json()) as { id: string }).id;
  });

  afterAll(async () => {
    await backendStore?.close();
  });

  function send(method: string, path: string, body?: unknown) {
    return api.request(path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  async function refused(response: Response, path: string, message: string | RegExp) {
    const text = await response.text();
    expect(response.status, text).toBe(400);
    expect(text).not.toMatch(/UTF8|byte sequence|Unicode escape|bigint|not a valid time|out of range/);
    const body = JSON.parse(text) as { error: { code: string; fields: { path: string; message: string }[] } };
    expect(body.error.code).toBe('ValidationFailed');
    expect(body.error.fields).toEqual([{ path, message: expect.stringMatching(message) }]);
  }

  const NUL = /NUL character/;
  const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

  it.each([
    ['/api/v1/apps/%00', 'id'],
    ['/api/v1/apps/%00/status', 'id'],
    ['/api/v1/apps/a%00b/provisioning-logs', 'id'],
    ['/api/v1/lifecycle/persons/%00', 'objectId'],
  ])('answers GET %s with 400 naming %s', async (path, field) => {
    await refused(await send('GET', path), field, NUL);
  });

  it.each<[string, (app: typeof validApp) => unknown, string]>([
    ['displayName', (app) => ({ ...app, displayName: 'Contoso\u0000Slack' }), 'displayName'],
    ['source.clientId', (app) => ({ ...app, source: { ...app.source, clientId: 'client\u0000' } }), 'source.clientId'],
    [
      'a mapping source',
      (app) => ({ ...app, mappings: { user: [{ type: 'direct', source: 'mail\u0000', target: 'userName' }] } }),
      'mappings.user.0.source',
    ],
    [
      'a scoping value',
      (app) => ({
        ...app,
        scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'x\u0000' }] }] } },
      }),
      'scoping.user.groups.0.clauses.0.value',
    ],
  ])('answers POST /apps with NUL in %s with 400 naming it', async (_name, body, field) => {
    await refused(await send('POST', '/api/v1/apps', body(validApp)), field, NUL);
  });

  it('answers POST /apps with a rate too small to wait for with 400 naming it', async () => {
    const target = { ...validApp.target, rateLimit: { requestsPerSecond: 5e-324 } };
    await refused(await send('POST', '/api/v1/apps', { ...validApp, target }), 'target.rateLimit.requestsPerSecond', /at least 0\.01/);
  });

  it.each([
    ['graphBaseUrl', 'https://0.com', /must end with the API version/],
    ['graphBaseUrl', 'http://graph.example/v1.0', /must be an https URL/],
    ['authorityHost', 'http://login.example', /must be an https URL/],
    ['tenantId', '\u0006o', /must be the tenant id \(a GUID\) or its domain name/],
  ])('answers POST /apps with source.%s %s with 400 naming it', async (field, value, message) => {
    await refused(
      await send('POST', '/api/v1/apps', { ...validApp, source: { ...validApp.source, [field]: value } }),
      `source.${field}`,
      message,
    );
  });

  it('answers PATCH /apps/{id} with NUL in displayName with 400 naming it', async () => {
    await refused(await send('PATCH', `/api/v1/apps/${appId}`, { displayName: '\u0000' }), 'displayName', NUL);
  });

  it.each([
    ['a time that is not one', `cursor=${cursor(['x', 1])}`, 'cursor', /not a cursor this API gave out/],
    ['a fractional id', `cursor=${cursor(['2026-01-02T03:04:05.678Z', 1.5])}`, 'cursor', /not a cursor this API gave out/],
    ['year 0 in a cursor', `cursor=${cursor(['0000-01-01T00:00:00.000Z', 1])}`, 'cursor', /not a cursor this API gave out/],
    ['the cursor of the report', 'cursor=WyJ4IiwxXQ', 'cursor', /not a cursor this API gave out/],
    ['from in year 0', 'from=0000-01-01T00:00:00Z', 'from', /from 0001-01-01 to 9999-12-31/],
    ['to in year 0', 'to=0000-12-31T23:00:00%2B02:00', 'to', /from 0001-01-01 to 9999-12-31/],
    ['a NUL object id', 'objectId=%00', 'objectId', NUL],
    ['a NUL cycle id', 'cycleId=a%00', 'cycleId', NUL],
  ])('answers a log query with %s with 400 naming the parameter', async (_name, query, field, message) => {
    await refused(await send('GET', `/api/v1/apps/${appId}/provisioning-logs?${query}`), field, message);
  });

  it('still takes a cursor it gave out and a time from year 1', async () => {
    await backendStore.provisioningLog.append(
      [1, 2].map((n) => ({
        appId,
        cycleId: `${appId}:1`,
        changeId: `${appId}:change-${n}`,
        objectType: 'user' as const,
        sourceId: `src-${n}`,
        action: 'Create' as const,
        status: 'Success' as const,
        startedAt: new Date().toISOString(),
        durationMs: 1,
      })),
    );
    const first = (await (await send('GET', `/api/v1/apps/${appId}/provisioning-logs?limit=1&from=0001-01-01T00:00:00Z`)).json()) as any;
    expect(first.items).toHaveLength(1);
    const next = await send('GET', `/api/v1/apps/${appId}/provisioning-logs?limit=1&cursor=${first.nextCursor}`);
    expect(next.status).toBe(200);
    expect(((await next.json()) as any).items).toHaveLength(1);
  });
});
