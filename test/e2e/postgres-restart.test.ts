/**
 * PostgreSQL stopped and started again under a running service (DATABASE_URL, on a cluster
 * this test starts itself) in the middle of an initial cycle: the service stays up and answers
 * 503 while the database is away, the running activity fails and is retried, connections are
 * opened again, and the cycle ends with every user provisioned exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';
import { freshScimTenant, testEnv } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { listTarget } from '../support/harness';
import { failureMessage, TEST_PAYLOAD_KEYS } from '../support/payload-keys';
import { addPeople } from '../support/people';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-cluster';
import {
  killServiceChildren,
  lastCycle,
  showOutputOnFailure,
  startCycleMidway,
  startServiceChild,
  until,
  type ServiceChild,
} from '../support/service-child';

const USERS = 300;
const children: ServiceChild[] = [];
let tmp: string;
let cluster: PostgresCluster;
let graph: FakeGraph;
let proxy: FaultProxy;
let connection: Connection;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-pg-restart-'));
  [cluster, graph, proxy, connection] = await Promise.all([
    startPostgresCluster(),
    startFakeGraph({ maxPageSize: 999 }),
    startFaultProxy({ target: new URL(freshScimTenant()).origin }),
    Connection.connect({ address: testEnv.temporalAddress }),
  ]);
});

afterAll(async () => {
  await killServiceChildren(children);
  await connection?.close();
  await proxy?.stop();
  await graph?.close();
  await cluster?.destroy();
  await rm(tmp, { recursive: true, force: true });
});

describe('PostgreSQL restarted under the service', () => {
  it('leaves the service up; the running activity fails, is retried, and the cycle ends with every user once', async () => {
    const people = addPeople(graph, USERS);
    // A target that takes a while for each create, so the restart lands mid-cycle.
    proxy.plan({ times: 100_000, match: { method: 'POST', pathIncludes: '/Users' }, fault: { kind: 'delay', ms: 100 } });
    showOutputOnFailure(children);
    const service = startServiceChild(
      {
        DATABASE_URL: cluster.url,
        TEMPORAL_ADDRESS: testEnv.temporalAddress,
        SCIMFLOW_DATA_DIR: join(tmp, 'data'),
        SCIMFLOW_ADMIN_TOKEN: 'pr-Vb8mN2kQ7xL4wT9zR3cY6hJ1fD5gS0aE',
        SCIMFLOW_CONCURRENCY: '4',
        SCIMFLOW_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      },
      children,
    );
    await service.ready;
    const { appId, tenant } = await startCycleMidway(service, graph, proxy, USERS);

    await cluster.stop();
    // While it is away: the service answers, 503 naming the database.
    const health = await service.api('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unavailable', unavailable: ['database'], dependencies: { database: { status: 'down' } } });
    const apps = await service.api('GET', '/api/v1/apps');
    expect(apps.status).toBe(503);
    expect(apps.body.error).toMatchObject({ code: 'DatabaseUnavailable', peer: 'store' });
    // Long enough for the running activity to need the database.
    await new Promise((r) => setTimeout(r, 3000));
    await cluster.start();

    const cycle = await until('the cycle to finish', () => lastCycle(service, appId), 120_000, 500);
    expect(service.process.exitCode).toBeNull();
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);
    const users = await listTarget(tenant, 'Users');
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName))).toEqual(new Set(people.map((p) => p.userPrincipalName)));
    expect((await service.api('GET', '/healthz')).status).toBe(200);

    // The activity that ran through the restart failed on the database and was tried again.
    const client = new Client({ connection });
    const history = await client.workflow.getHandle(`app/${appId}/cycle/1`).fetchHistory();
    const retried = (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1);
    expect(retried.length).toBeGreaterThan(0);
    expect(await failureMessage(retried[0]!.activityTaskStartedEventAttributes?.lastFailure)).toMatch(
      /ECONNREFUSED|terminat|shutting down|Connection/i,
    );

    const logs = service.logs();
    expect(logs.filter((l) => l.msg === 'database is away')).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'database is back')).toHaveLength(1);

    service.process.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  }, 240_000);
});
