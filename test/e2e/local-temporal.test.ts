/**
 * The local Temporal dev server of `npm start` and the service that runs it, killed in turn:
 * the dev server killed is started again on the same state while the API answers 503; the
 * service killed with SIGKILL takes its dev server with it (parent-death signal), and the next
 * start on the same data dir goes on with the cycle.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';
import { freshScimTenant } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { appBody, listTarget } from '../support/harness';
import { addPeople } from '../support/people';
import {
  isRunning,
  killServiceChildren,
  lastCycle,
  localServiceSettings,
  recordedDevServerPid,
  showOutputOnFailure,
  startCycleMidway,
  startServiceChild,
  until,
  type ServiceChild,
} from '../support/service-child';

const children: ServiceChild[] = [];
const dataDirs: string[] = [];

let tmp: string;
const graphs: FakeGraph[] = [];
let proxy: FaultProxy;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-local-temporal-'));
  proxy = await startFaultProxy({ target: new URL(freshScimTenant()).origin });
});

afterAll(async () => {
  await killServiceChildren(children, dataDirs);
  await proxy?.stop();
  for (const graph of graphs) await graph.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Settings of one service with its own data dir and ports. */
function serviceSettings(name: string) {
  const dataDir = join(tmp, name);
  dataDirs.push(dataDir);
  return localServiceSettings(dataDir);
}

/** A directory of its own for each test. */
async function directory(): Promise<FakeGraph> {
  const graph = await startFakeGraph({ maxPageSize: 999 });
  graphs.push(graph);
  return graph;
}

describe('the local Temporal dev server killed', () => {
  it('is started again on the same state, and meanwhile the API answers 503 saying so', async () => {
    showOutputOnFailure(children);
    const graph = await directory();
    addPeople(graph, 5, 1000);
    const env = await serviceSettings('dev-server-killed');
    const service = startServiceChild(env, children);
    await service.ready;
    // A second one on the same data dir is refused, and leaves the first one's dev server alone.
    const second = startServiceChild(env, children);
    expect((await second.exited).code).toBe(1);
    expect(second.logs().find((l) => l.msg === 'start-up failed')?.err).toMatchObject({
      message: expect.stringMatching(/^another scimflow \(pid \d+\) runs on the data dir /),
    });
    const tenant = freshScimTenant();
    const created = await service.api('POST', '/api/v1/apps', appBody(graph, tenant));
    expect(created.status).toBe(201);
    const appId = created.body.id as string;
    const first = await until('the first cycle', () => lastCycle(service, appId), 60_000);
    expect(first.state).toBe('succeeded');

    const pid = await recordedDevServerPid(env.SCIMFLOW_DATA_DIR);
    expect(pid).toBeDefined();
    const killedAt = Date.now();
    process.kill(pid!, 'SIGKILL');

    // Within a moment the API says Temporal is away and why, instead of waiting on retries.
    const away = await until(
      'a 503 from a route that needs Temporal',
      async () => {
        const answer = await service.api('GET', `/api/v1/apps/${appId}/status`);
        return answer.status === 503 ? answer : undefined;
      },
      5_000,
      50,
    );
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    expect(away.body.error).toMatchObject({ code: 'TemporalUnavailable', peer: 'temporal' });
    expect(away.body.error.message).toMatch(
      /^Temporal is not available \(the local Temporal dev server exited \(signal SIGKILL\); it is being started again\)/,
    );
    const health = await service.api('GET', '/healthz');
    if (health.status === 503) {
      expect(health.body).toMatchObject({
        status: 'unavailable',
        unavailable: ['temporal'],
        dependencies: { temporal: { status: 'down' } },
      });
    }
    expect((await service.api('GET', '/livez')).status).toBe(200);
    // An app created meanwhile is stored (answered 503 while Temporal is away); its job starts
    // as soon as Temporal is back, without a request.
    const lateTenant = freshScimTenant();
    const late = await service.api('POST', '/api/v1/apps', { ...appBody(graph, lateTenant), displayName: 'Created while away' });
    expect([201, 503]).toContain(late.status);
    if (late.status === 503) expect(late.body.error).toMatchObject({ code: 'TemporalUnavailable' });

    // It comes back on the same state: the app's job and its last cycle are still there.
    await until('/healthz 200', async () => ((await service.api('GET', '/healthz')).status === 200 ? true : undefined), 60_000);
    const again = await recordedDevServerPid(env.SCIMFLOW_DATA_DIR);
    expect(again).not.toBe(pid);
    expect(isRunning(again!)).toBe(true);
    expect((await lastCycle(service, appId))?.id).toBe(first.id);
    const lateApp = ((await service.api('GET', '/api/v1/apps')).body.items as { id: string; displayName: string }[]).find(
      (app) => app.displayName === 'Created while away',
    );
    expect(lateApp).toBeDefined();
    expect(await until('the first cycle of the app created while away', () => lastCycle(service, lateApp!.id), 60_000)).toMatchObject({
      state: 'succeeded',
    });
    addPeople(graph, 1, 1100);
    expect((await service.api('POST', `/api/v1/apps/${appId}/run`)).status).toBeLessThan(300);
    const next = await until(
      'a cycle after the restart',
      async () => {
        const cycle = await lastCycle(service, appId);
        return cycle && cycle.id !== first.id ? cycle : undefined;
      },
      60_000,
    );
    expect(next).toMatchObject({ state: 'succeeded' });
    expect((await listTarget(tenant, 'Users')).length).toBe(6);
    expect(service.logs().filter((l) => l.msg === 'temporal is away')).toHaveLength(1);

    service.process.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
    expect(isRunning(again!)).toBe(false);
  }, 180_000);
});

describe('the service killed with SIGKILL and started again on the same data dir', () => {
  it('takes its dev server with it, and the next start goes on with the cycle', async () => {
    showOutputOnFailure(children);
    const USERS = 300;
    const graph = await directory();
    const people = addPeople(graph, USERS, 5000);
    // A target that takes a while for each create, so the kill lands mid-cycle.
    proxy.plan({ times: 100_000, match: { method: 'POST', pathIncludes: '/Users' }, fault: { kind: 'delay', ms: 100 } });
    const env = { ...(await serviceSettings('service-killed')), SCIMFLOW_CONCURRENCY: '4' };
    const first = startServiceChild(env, children);
    await first.ready;
    const { appId, tenant } = await startCycleMidway(first, graph, proxy, USERS);

    const orphan = await recordedDevServerPid(env.SCIMFLOW_DATA_DIR);
    first.process.kill('SIGKILL');
    await first.exited;
    const atKill = (await listTarget(tenant, 'Users')).length;
    expect(atKill).toBeLessThan(USERS);
    // The dev server is tied to the service's life (its parent-death signal): it ends too, and
    // leaves its state in the data dir.
    await until('the dev server to end with the killed service', async () => (isRunning(orphan!) ? undefined : true), 15_000);

    const startedAt = Date.now();
    const second = startServiceChild(env, children);
    await second.ready;
    expect(await recordedDevServerPid(env.SCIMFLOW_DATA_DIR)).not.toBe(orphan);

    const cycle = await until('the interrupted cycle to finish', () => lastCycle(second, appId), 60_000);
    const tookMs = Date.now() - startedAt;
    expect(tookMs).toBeLessThan(60_000);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);
    const users = await listTarget(tenant, 'Users');
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName))).toEqual(new Set(people.map((p) => p.userPrincipalName)));

    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(await recordedDevServerPid(env.SCIMFLOW_DATA_DIR)).toBeUndefined();
  }, 240_000);
});
