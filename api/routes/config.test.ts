import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema } from '../../src/config/app';
import { createLogger } from '../../src/log/index';
import { openDatabase, type Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';

const TOKEN = 'admin-token-for-tests-0123456789';

/** Records what the API asked of the jobs; the real JobControl is covered end to end. */
function recordingJobs(): JobControl & { calls: string[] } {
  const calls: string[] = [];
  const unused = async () => {
    throw new Error('not used here');
  };
  return {
    calls,
    ensure: async (appId, minutes) => void calls.push(`ensure:${appId}:${minutes}`),
    setInterval: async (appId, minutes) => void calls.push(`setInterval:${appId}:${minutes}`),
    pause: unused,
    resume: unused,
    runNow: unused,
    allowDeletes: unused,
    restart: unused,
    quarantine: unused,
    stop: async () => {},
    status: async () => undefined,
    state: async () => undefined,
    provisionOnDemand: unused,
    preview: unused,
  };
}

/** An app that sets every field of the app schema. */
const FULL_APP = {
  displayName: 'Contoso ServiceNow',
  source: {
    type: 'graph',
    tenantId: 'contoso.onmicrosoft.com',
    clientId: 'c1',
    clientSecret: 'graph-secret-value',
    scope: 'assigned',
    servicePrincipalId: 'sp1',
  },
  target: {
    type: 'scim',
    baseUrl: 'https://scim.example.com/v2',
    auth: { type: 'bearer', token: 'scim-token-value' },
    rateLimit: { concurrency: 4 },
  },
  schedule: { intervalMinutes: 20 },
  deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'ignore', threshold: 100 },
  mappings: { user: [{ type: 'direct', source: 'userPrincipalName', target: 'userName', matchingPrecedence: 1 }] },
  scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] }] } },
  groups: { enabled: true, flattenNested: false, deprovision: 'delete', compareMembersHours: 12 },
  capabilities: { overrides: { patch: false } },
  lifecycle: { leadTimeDays: 2 },
  quarantine: { failureShare: 0.5 },
  alerts: { cycleFailures: { threshold: 0.3 }, noSuccessfulCycle: { enabled: false } },
};

let store: Store;
let jobs: ReturnType<typeof recordingJobs>;
let api: ReturnType<typeof createApi>;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; text: string; body: any }> {
  const response = await api.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  store = await openDatabase();
  jobs = recordingJobs();
  api = createApi({ store, jobs, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await store.close();
});

describe('GET /apps/{id}/config', () => {
  it('exports every field of the app schema, secrets only as {"stored": true}', async () => {
    expect(Object.keys(FULL_APP).sort()).toEqual(Object.keys(appInputSchema.shape).sort());
    const created = await call('POST', '/apps', FULL_APP);
    expect(created.status).toBe(201);
    await store.apps.update(created.body.id, { capabilities: { overrides: { patch: false }, discovered: { patch: true } as never } });
    const exported = await call('GET', `/apps/${created.body.id}/config`);
    expect(exported.status).toBe(200);
    expect(exported.text).not.toMatch(/graph-secret-value|scim-token-value/);
    expect(Object.keys(exported.body).sort()).toEqual(Object.keys(appInputSchema.shape).sort());
    expect(exported.body.source.clientSecret).toEqual({ stored: true });
    expect(exported.body.target.auth).toEqual({ type: 'bearer', token: { stored: true } });
    expect(exported.body.capabilities).toEqual({ overrides: { patch: false } });
    expect(exported.body).toMatchObject({
      lifecycle: { leadTimeDays: 2 },
      quarantine: { failureShare: 0.5 },
      alerts: { cycleFailures: { threshold: 0.3 }, noSuccessfulCycle: { enabled: false } },
      groups: { compareMembersHours: 12 },
    });
  });

  it('answers 404 for an app that does not exist', async () => {
    expect((await call('GET', '/apps/nope/config')).status).toBe(404);
  });
});

describe('PUT /apps/{id}/config', () => {
  async function created() {
    const response = await call('POST', '/apps', FULL_APP);
    const id = response.body.id as string;
    return { id, document: (await call('GET', `/apps/${id}/config`)).body };
  }

  it('round trip: PUT of what GET gave changes nothing, twice, and keeps the secrets', async () => {
    const { id, document } = await created();
    const before = await store.apps.get(id);
    for (let i = 0; i < 2; i++) {
      const put = await call('PUT', `/apps/${id}/config`, document);
      expect(put.status).toBe(200);
      expect(put.body).toEqual({ id, outcome: 'unchanged', changes: [], configVersion: before!.configVersion, nextCycleInitial: false });
    }
    const { source: _source, target, ...rest } = document;
    const withoutSecrets = { ...rest, source: { ..._source, clientSecret: undefined }, target: { ...target, auth: { type: 'bearer' } } };
    expect((await call('PUT', `/apps/${id}/config`, withoutSecrets)).body.outcome).toBe('unchanged');
    expect(await store.apps.get(id)).toEqual(before);
    expect(await store.apps.getSecrets(id)).toEqual({ clientSecret: 'graph-secret-value', targetToken: 'scim-token-value' });
  });

  it('answers what changed, a secret only as "replaced", and tells the job a new interval', async () => {
    const { id, document } = await created();
    const changed = {
      ...document,
      schedule: { intervalMinutes: 5 },
      target: { ...document.target, auth: { type: 'bearer', token: 'rotated-token' } },
    };
    const put = await call('PUT', `/apps/${id}/config`, changed);
    expect(put.status).toBe(200);
    expect(put.text).not.toContain('rotated-token');
    expect(put.body).toMatchObject({
      outcome: 'updated',
      changes: [
        { path: 'schedule.intervalMinutes', before: 20, after: 5 },
        { path: 'target.auth.token', secret: 'replaced' },
      ],
      nextCycleInitial: false,
    });
    expect(jobs.calls).toContain(`setInterval:${id}:5`);
    expect((await store.apps.getSecrets(id)).targetToken).toBe('rotated-token');
    expect((await call('PUT', `/apps/${id}/config`, changed)).body.outcome).toBe('unchanged');
  });

  it('a mapping change makes the next cycle initial, as PATCH does; a field left out is removed', async () => {
    const { id, document } = await created();
    await store.syncState.set({ appId: id, objectType: 'user', deltaLink: 'https://graph/delta', configVersion: 1 });
    const { lifecycle: _dropped, ...rest } = document;
    const remapped = { ...rest, mappings: { user: [{ type: 'direct', source: 'mail', target: 'userName', matchingPrecedence: 1 }] } };
    const put = await call('PUT', `/apps/${id}/config`, remapped);
    expect(put.body).toMatchObject({ outcome: 'updated', configVersion: 2, nextCycleInitial: true });
    expect(put.body.changes.map((change: { path: string }) => change.path)).toEqual(['lifecycle', 'mappings.user.0.source']);
    // The stored delta link belongs to version 1: the next cycle is initial.
    expect((await store.syncState.get(id, 'user'))?.configVersion).not.toBe((await store.apps.get(id))?.configVersion);
    expect((await call('GET', `/apps/${id}/config`)).body.lifecycle).toBeUndefined();
  });

  it.each<[string, (document: any) => unknown, string]>([
    ['a bad URL', (d) => ({ ...d, target: { ...d.target, baseUrl: 'ftp:/x' } }), 'target.baseUrl'],
    ['an unknown field', (d) => ({ ...d, schedul: {} }), 'schedul'],
    ['a read-only field', (d) => ({ ...d, configVersion: 3 }), 'configVersion'],
    ['a bad secret marker', (d) => ({ ...d, source: { ...d.source, clientSecret: { stored: false } } }), 'source.clientSecret'],
    [
      'another auth type without its secret',
      (d) => ({ ...d, target: { ...d.target, auth: { type: 'basic', username: 'bot' } } }),
      'target.auth.password',
    ],
    ['an alert threshold out of range', (d) => ({ ...d, alerts: { cycleFailures: { threshold: 2 } } }), 'alerts.cycleFailures.threshold'],
    ['an unknown alert rule', (d) => ({ ...d, alerts: { everything: { enabled: true } } }), 'alerts.everything'],
    ['an alert switch that is not a boolean', (d) => ({ ...d, alerts: { quarantine: { enabled: 'yes' } } }), 'alerts.quarantine.enabled'],
    [
      'a scoping pattern with a backreference, which RE2 cannot match',
      (d) => ({ ...d, scoping: { user: { groups: [{ clauses: [{ attribute: 'mail', operator: 'REGEX_MATCH', value: '(a)\\1' }] }] } } }),
      'scoping.user.groups.0.clauses.0.value',
    ],
    [
      'a Replace pattern with lookahead, which RE2 cannot match',
      (d) => ({
        ...d,
        mappings: {
          user: [...d.mappings.user, { type: 'expression', expression: 'Replace([mail], , "a(?=b)", , "x", , )', target: 'title' }],
        },
      }),
      'mappings.user.1.expression',
    ],
  ])('refuses %s with 400 naming the field', async (_name, change, field) => {
    const { id, document } = await created();
    const put = await call('PUT', `/apps/${id}/config`, change(document));
    expect(put.status).toBe(400);
    expect(put.body.error.fields.map((f: { path: string }) => f.path)).toContain(field);
  });

  it('creates an app under a new id, refuses a bad new id and the id of a deleted app', async () => {
    const { document } = await created();
    const secrets = {
      ...document,
      source: { ...document.source, clientSecret: 'graph-2' },
      target: { ...document.target, auth: { type: 'bearer', token: 'tok-2' } },
    };
    const noSecret = await call('PUT', '/apps/servicenow/config', document);
    expect(noSecret.status).toBe(400);
    expect(noSecret.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['source.clientSecret', 'target.auth.token']);
    const made = await call('PUT', '/apps/servicenow/config', secrets);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ id: 'servicenow', outcome: 'created', configVersion: 1 });
    expect(jobs.calls).toContain('ensure:servicenow:20');
    expect((await call('GET', '/apps/servicenow')).body.displayName).toBe('Contoso ServiceNow');
    expect((await call('PUT', '/apps/servicenow/config', secrets)).body.outcome).toBe('unchanged');

    const badId = await call('PUT', '/apps/has%20space/config', secrets);
    expect(badId.status).toBe(400);
    expect(badId.body.error.fields[0].path).toBe('id');
    expect((await call('DELETE', '/apps/servicenow')).status).toBe(204);
    const again = await call('PUT', '/apps/servicenow/config', secrets);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('AppDeleted');
  });

  it('carries valid examples in the OpenAPI document', async () => {
    const spec = (await call('GET', '/openapi.json')).body;
    const put = spec.paths['/apps/{id}/config'].put;
    expect(put.requestBody.content['application/json'].example).toMatchObject({ target: { auth: { token: { stored: true } } } });
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '401', '409', '415']));
    expect(spec.paths['/apps/{id}/config'].get.responses['200'].content['application/json'].example).toBeDefined();
  });
});
