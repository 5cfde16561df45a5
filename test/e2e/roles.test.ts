/**
 * The service as separate processes: one API (`SCIMFLOW_ROLE=api`) and workers
 * (`SCIMFLOW_ROLE=worker`) on one Temporal cluster, one task queue and one PostgreSQL. An app
 * created through the API is provisioned by the workers; one worker stops in the middle of the
 * cycle and another starts, and the cycle ends with every user once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { freshScimTenant, testEnv, uniqueName } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { appBody, listTarget, ONE_REQUEST_PER_CREATE } from '../support/harness';
import { addPeople } from '../support/people';
import { killServiceChildren, lastCycle, showOutputOnFailure, startServiceChild, until, type ServiceChild } from '../support/service-child';

const USERS = 60;
const children: ServiceChild[] = [];
let tmp: string;
let database: TestDatabase;
let graph: FakeGraph;
let proxy: FaultProxy;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-roles-'));
  [database, graph, proxy] = await Promise.all([
    createTestDatabase(),
    startFakeGraph({ maxPageSize: 999 }),
    startFaultProxy({ target: new URL(testEnv.scimUrl).origin }),
  ]);
});

afterAll(async () => {
  await killServiceChildren(children);
  await graph?.close();
  await proxy?.stop();
  await database?.drop();
  await rm(tmp, { recursive: true, force: true });
});

describe('an API and its workers in separate processes', () => {
  it('provisions through workers that stop and start while the cycle runs', async () => {
    showOutputOnFailure(children);
    addPeople(graph, USERS, 41_000);
    // Each create takes a while, so the cycle is still running when a worker stops.
    proxy.plan({ times: 100_000, match: { method: 'POST', pathIncludes: '/Users' }, fault: { kind: 'delay', ms: 150 } });
    const shared = {
      TEMPORAL_ADDRESS: testEnv.temporalAddress,
      DATABASE_URL: database.url,
      SCIMFLOW_SECRET_KEY: randomBytes(32).toString('hex'),
      SCIMFLOW_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('hex')}`,
      SCIMFLOW_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      TEMPORAL_TASK_QUEUE: uniqueName('roles'),
      SCIMFLOW_CONCURRENCY: '2',
    };
    const start = (role: 'api' | 'worker', name: string, extra: Record<string, string> = {}) =>
      startServiceChild({ ...shared, SCIMFLOW_ROLE: role, SCIMFLOW_DATA_DIR: join(tmp, name), ...extra }, children);

    const api = start('api', 'api');
    const workers = [start('worker', 'w1'), start('worker', 'w2', { SCIMFLOW_METRICS_PORT: '0' })];
    await Promise.all([api.ready, ...workers.map((w) => w.ready)]);
    expect(api.output).toContain('scimflow API is running (its workers run apart)');
    // The API process runs no worker, and a worker serves no API.
    expect(api.logs().some((l) => l.msg === 'Worker state changed')).toBe(false);
    expect(workers[0]!.output.some((l) => /^\s+API\s/.test(l))).toBe(false);
    // A worker's probes are on its metrics port, for an orchestrator.
    const probes = workers[1]!.output.map((l) => /^\s+Metrics\s+(http\S+)\/metrics/.exec(l)?.[1]).find(Boolean);
    expect((await fetch(`${probes}/readyz`)).status).toBe(200);
    expect((await fetch(`${probes}/livez`)).status).toBe(200);

    const tenant = `${proxy.url}${new URL(freshScimTenant()).pathname}`;
    const created = await api.api('POST', '/api/v1/apps', appBody(graph, tenant, ONE_REQUEST_PER_CREATE));
    expect(created.status).toBe(201);
    const appId = created.body.id as string;

    await until(
      'a third of the users in the target',
      async () => ((await listTarget(tenant, 'Users')).length >= USERS / 3 ? true : undefined),
      60_000,
      100,
    );
    workers[0]!.process.kill('SIGTERM');
    expect((await workers[0]!.exited).code).toBe(0);
    const third = start('worker', 'w3');
    await third.ready;

    const cycle = await until('the cycle to finish', () => lastCycle(api, appId), 120_000, 500);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);
    const users = await listTarget(tenant, 'Users');
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName)).size).toBe(USERS);
  }, 180_000);
});
