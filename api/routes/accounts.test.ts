/** The accounts and anchor routes on a real app over an embedded store; the job's status is given per test. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema, splitSecrets } from '../../src/config/app';
import { createLogger } from '../../src/log/index';
import { openDatabase, type Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl, JobView } from '../jobs';

const TOKEN = 'admin-token-for-tests-0123456789';
let store: Store;
let api: ReturnType<typeof createApi>;
let appId: string;
let otherAppId: string;
let status: JobView | undefined;

const direct = { via: 'direct' as const, servicePrincipalId: 'sp-1', detail: 'assigned to service principal sp-1' };
const viaGroup = {
  via: 'group' as const,
  servicePrincipalId: 'sp-1',
  groupIds: ['g-1'],
  detail: 'assigned to service principal sp-1 through group g-1',
};

async function call(method: string, path: string) {
  const response = await api.request(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  return response;
}
async function json(path: string) {
  const response = await call('GET', path);
  return { status: response.status, body: (await response.json()) as any };
}

async function newApp(displayName: string): Promise<string> {
  const input = {
    displayName,
    source: {
      type: 'graph',
      tenantId: 'contoso.onmicrosoft.com',
      clientId: 'c1',
      clientSecret: 'graph-secret',
      scope: 'assigned',
      servicePrincipalId: 'sp-1',
    },
    target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'scim-token' } },
  };
  const { config, secrets } = splitSecrets(appInputSchema.parse(input));
  return (await store.apps.create(config, secrets)).id;
}

beforeAll(async () => {
  store = await openDatabase();
  const jobs = { status: async () => status } as unknown as JobControl;
  api = createApi({ store, jobs, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) });
  appId = await newApp('Accounts app');
  otherAppId = await newApp('Other app');
  const anchor = (sourceId: string, scopeReason?: typeof direct | typeof viaGroup) => ({
    appId,
    objectType: 'user' as const,
    sourceId,
    targetId: `t-${sourceId}`,
    lastExported: { userName: `${sourceId}@example.com` },
    state: 'active' as const,
    ...(scopeReason && { scopeReason }),
  });
  await store.anchors.upsertMany([anchor('u1', direct), anchor('u2', viaGroup), anchor('u3'), anchor('u4', direct)]);
  await store.anchors.upsert({ ...anchor('g1'), objectType: 'group' });
  await store.anchors.markState(appId, 'user', 'u4', 'disabled');
  await store.anchors.upsert({ ...anchor('u1'), appId: otherAppId });
  await store.provisioningLog.append([
    {
      appId,
      cycleId: `${appId}:1`,
      changeId: 'c-u1',
      objectType: 'user',
      sourceId: 'u1',
      sourceDisplay: 'Ada Lovelace',
      targetId: 't-u1',
      action: 'Create',
      status: 'Success',
      reason: null,
      modifiedProperties: [],
      steps: [],
      error: null,
      startedAt: new Date(),
      durationMs: 3,
    },
  ]);
});

afterAll(async () => {
  await store.close();
});

describe('GET /apps/{id}/accounts', () => {
  it('lists every account with its last change and why it is in scope; anchors from before say reason null', async () => {
    const { status: code, body } = await json(`/apps/${appId}/accounts`);
    expect(code).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((a: any) => `${a.objectType}:${a.objectId}`)).toEqual(['group:g1', 'user:u1', 'user:u2', 'user:u3', 'user:u4']);
    const byId = new Map(body.items.map((a: any) => [a.objectId, a]));
    expect(byId.get('u1')).toMatchObject({
      displayName: 'Ada Lovelace',
      targetId: 't-u1',
      state: 'active',
      reason: direct,
      lastChange: { action: 'Create', status: 'Success', changeId: 'c-u1' },
    });
    expect(byId.get('u2')).toMatchObject({ reason: viaGroup, lastChange: null, displayName: null });
    expect(byId.get('u3')).toMatchObject({ reason: null });
  });

  it('filters by state, object type and object', async () => {
    expect((await json(`/apps/${appId}/accounts?state=disabled`)).body.items.map((a: any) => a.objectId)).toEqual(['u4']);
    expect((await json(`/apps/${appId}/accounts?objectType=group`)).body.items.map((a: any) => a.objectId)).toEqual(['g1']);
    expect((await json(`/apps/${appId}/accounts?objectId=u2`)).body.items.map((a: any) => a.objectId)).toEqual(['u2']);
    expect((await json(`/apps/${appId}/accounts?objectId=nobody`)).body.items).toEqual([]);
  });

  it('pages with the cursor it gives out', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: any } = await json(`/apps/${appId}/accounts?objectType=user&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((a: any) => a.objectId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  it.each([
    ['state=gone', 'state'],
    ['objectType=device', 'objectType'],
    ['limit=0', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
  ])('answers 400 naming the field for ?%s', async (query, field) => {
    const { status: code, body } = await json(`/apps/${appId}/accounts?${query}`);
    expect(code).toBe(400);
    expect(body.error.fields.map((f: any) => f.path)).toContain(field);
  });

  it('answers 404 for an app that does not exist', async () => {
    expect((await json('/apps/no-such-app/accounts')).status).toBe(404);
    expect((await json('/apps/no-such-app/accounts/export')).status).toBe(404);
  });
});

describe('GET /apps/{id}/accounts/export', () => {
  it('streams every account as NDJSON, filtered like the listing', async () => {
    const response = await call('GET', `/apps/${appId}/accounts/export?objectType=user`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    // It holds people's data: nothing between here and the admin keeps a copy.
    expect(response.headers.get('cache-control')).toBe('no-store');
    const lines = (await response.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((a) => a.objectId)).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(lines[1]).toMatchObject({ reason: viaGroup });
  });

  it('streams CSV with a header and the reason with its groups', async () => {
    const response = await call('GET', `/apps/${appId}/accounts/export?format=csv&state=active&objectType=user`);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = (await response.text()).trimEnd().split('\n');
    expect(header).toBe('objectType,objectId,displayName,targetId,state,since,lastChangeAt,lastAction,reason,reasonDetail');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^user,u1,Ada Lovelace,t-u1,active,[^,]+,[^,]+,Create,direct,assigned to service principal sp-1$/);
    expect(rows[1]).toMatch(/^user,u2,,t-u2,active,[^,]+,,,group:g-1,assigned to service principal sp-1 through group g-1$/);
    expect(rows[2]).toMatch(/^user,u3,,t-u3,active,[^,]+,,,,$/);
  });

  it('answers 400 naming the format', async () => {
    const { status: code, body } = await json(`/apps/${appId}/accounts/export?format=xml`);
    expect(code).toBe(400);
    expect(body.error.fields.map((f: any) => f.path)).toContain('format');
  });
});

describe('/apps/{id}/anchors/{objectType}/{objectId}', () => {
  it('reads one anchor with its reason, and 404 for one that does not exist', async () => {
    const { status: code, body } = await json(`/apps/${appId}/anchors/user/u2`);
    expect(code).toBe(200);
    expect(body).toMatchObject({ objectId: 'u2', objectType: 'user', targetId: 't-u2', state: 'active', reason: viaGroup });
    expect(body.lastExported).toEqual({ userName: 'u2@example.com' });
    expect((await json(`/apps/${appId}/anchors/group/u2`)).status).toBe(404);
    expect((await json(`/apps/no-such-app/anchors/user/u2`)).status).toBe(404);
    const bad = await json(`/apps/${appId}/anchors/device/u2`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.path)).toContain('objectType');
  });

  it('refuses to remove an anchor with 409 while a cycle runs, then removes it; a second removal is 404', async () => {
    status = { currentCycleWorkflowId: `app/${appId}/cycle/3` } as JobView;
    const refused = await call('DELETE', `/apps/${appId}/anchors/user/u3`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as any).error).toMatchObject({ code: 'CycleRunning' });
    expect(await store.anchors.get(appId, 'user', 'u3')).toBeDefined();

    status = { currentCycleWorkflowId: null } as JobView;
    expect((await call('DELETE', `/apps/${appId}/anchors/user/u3`)).status).toBe(204);
    expect(await store.anchors.get(appId, 'user', 'u3')).toBeUndefined();
    expect((await call('DELETE', `/apps/${appId}/anchors/user/u3`)).status).toBe(404);
    status = undefined;
  });
});

describe('GET /lifecycle/persons/{objectId}/access', () => {
  it('lists every app where the person has an account, and none for someone without', async () => {
    const { status: code, body } = await json('/lifecycle/persons/u1/access');
    expect(code).toBe(200);
    expect(body.objectId).toBe('u1');
    expect(body.apps.map((a: any) => a.appId).sort()).toEqual([appId, otherAppId].sort());
    const mine = body.apps.find((a: any) => a.appId === appId);
    expect(mine).toMatchObject({ appDisplayName: 'Accounts app', state: 'active', targetId: 't-u1', lastChange: { action: 'Create' } });
    expect((await json('/lifecycle/persons/nobody/access')).body).toEqual({ objectId: 'nobody', apps: [] });
  });

  it('documents every new route with examples', async () => {
    const spec = (await json('/openapi.json')).body;
    for (const path of [
      '/apps/{id}/accounts',
      '/apps/{id}/accounts/export',
      '/apps/{id}/anchors/{objectType}/{objectId}',
      '/lifecycle/persons/{objectId}/access',
    ])
      expect(spec.paths[path]).toBeDefined();
    expect(spec.paths['/apps/{id}/anchors/{objectType}/{objectId}'].delete.responses['409']).toBeDefined();
    expect(spec.components.schemas.Account.example).toMatchObject({ objectType: 'user', reason: { via: 'group' } });
    expect(spec.components.schemas.PersonAccess.example.apps).toHaveLength(1);
  });
});
