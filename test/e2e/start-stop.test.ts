/**
 * Starting and stopping `npm start`'s process: a bad setting stops it before anything starts,
 * with one line and exit status 2; a terminal's Ctrl-C while a cycle runs stops the worker
 * first (its running activity finishes), then the API, then the local Temporal dev server,
 * which the signal does not reach; a stop is bounded, and what it had to abandon resumes when
 * the service is back.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portForLater } from '../support/ports';
import { startFakeGraph, type FakeGraph } from '../fakes/graph/index';
import { freshScimTenant } from '../support/env';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { appBody, listTarget, ONE_REQUEST_PER_CREATE } from '../support/harness';
import { addPeople } from '../support/people';
import {
  isRunning,
  killServiceChildren,
  lastCycle,
  localServiceSettings,
  recordedDevServerPid,
  showOutputOnFailure,
  startServiceChild,
  until,
  type ServiceChild,
} from '../support/service-child';

const children: ServiceChild[] = [];
const dataDirs: string[] = [];
const graphs: FakeGraph[] = [];
const proxies: FaultProxy[] = [];

/** Whether something accepts connections on a loopback port. */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'scimflow-start-stop-'));
});

afterAll(async () => {
  await killServiceChildren(children, dataDirs);
  for (const graph of graphs) await graph.close();
  for (const proxy of proxies) await proxy.stop();
  await rm(tmp, { recursive: true, force: true });
});

/** A directory of `users` people, and a target behind a proxy that holds each create back for `delayMs` (`times` of them). */
async function peers(
  users: number,
  delay: { ms: number; times: number },
): Promise<{ graph: FakeGraph; tenant: string; proxy: FaultProxy }> {
  const graph = await startFakeGraph({ maxPageSize: 999 });
  graphs.push(graph);
  addPeople(graph, users);
  const proxy = await startFaultProxy({ target: new URL(freshScimTenant()).origin });
  proxies.push(proxy);
  proxy.plan({ times: delay.times, match: { method: 'POST', pathIncludes: '/Users' }, fault: { kind: 'delay', ms: delay.ms } });
  return { graph, tenant: `${proxy.url}${new URL(freshScimTenant()).pathname}`, proxy };
}

async function settings(name: string, extra: Record<string, string> = {}) {
  const dataDir = join(tmp, name);
  dataDirs.push(dataDir);
  return { ...(await localServiceSettings(dataDir)), ...extra };
}

describe('a bad setting', () => {
  it.each([
    ['PORT=abc', { PORT: 'abc' }, 'scimflow: bad setting: PORT must be a port number from 0 to 65535 (got "abc")'],
    [
      'a malformed SCIMFLOW_SECRET_KEY and a DATABASE_URL that is not a URL',
      { SCIMFLOW_SECRET_KEY: 'not-a-key', DATABASE_URL: 'localhost:5432/scimflow' },
      'scimflow: bad settings: DATABASE_URL must be a postgres:// or postgresql:// URL; SCIMFLOW_SECRET_KEY must be 32 bytes written as 64 hex characters or as base64',
    ],
  ])('%s stops start-up with one line and exit status 2, before anything is started or written', async (_name, bad, line) => {
    const dataDir = join(tmp, `never-${children.length}`);
    const temporalPort = await portForLater();
    const child = startServiceChild({ SCIMFLOW_DATA_DIR: dataDir, TEMPORAL_PORT: String(temporalPort), ...bad }, children);
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.output.filter((l) => l !== '')).toEqual([line]);
    expect(existsSync(dataDir)).toBe(false);
    // No dev server was started on its port.
    expect(await listens(temporalPort)).toBe(false);
  });
});

describe('a terminal Ctrl-C while a cycle runs (npm start)', () => {
  it('drains the worker (the running activity finishes), then stops the API, then the dev server it did not reach; no warnings', async () => {
    showOutputOnFailure(children);
    const USERS = 40;
    const { graph, tenant, proxy } = await peers(USERS, { ms: 400, times: 100_000 });
    const env = await settings('ctrl-c', { SCIMFLOW_CONCURRENCY: '4' });
    const service = startServiceChild(env, children, { via: 'npm' });
    await service.ready;
    const created = await service.api('POST', '/api/v1/apps', appBody(graph, tenant, ONE_REQUEST_PER_CREATE));
    expect(created.status).toBe(201);
    await until(
      'a fifth of the users in the target',
      async () => ((await listTarget(tenant, 'Users')).length >= USERS / 5 ? true : undefined),
      60_000,
      100,
    );
    const devServer = await recordedDevServerPid(env.SCIMFLOW_DATA_DIR);
    expect(proxy.inFlight).toBeGreaterThan(0);

    const signalledAt = Date.now();
    // As a terminal does: SIGINT to the foreground process group (npm, tsx and node).
    service.signalGroup('SIGINT');
    let devServerGoneAt: number | undefined;
    const watch = setInterval(() => {
      if (devServerGoneAt === undefined && !isRunning(devServer!)) devServerGoneAt = Date.now();
    }, 10);
    const exited = await service.exited;
    clearInterval(watch);
    devServerGoneAt ??= Date.now();

    const logs = service.logs();
    const drained = logs.find((l) => l.msg === 'worker drained');
    // In order: the worker drained with its activity, then the API, then the dev server.
    expect(drained).toMatchObject({ activities: 1 });
    // The last two lines are written back to back as the process exits and may reach the pipe
    // in either order; that the dev server went last is checked by its pid below.
    const steps = ['shutting down', 'worker drained', 'API stopped', 'local Temporal dev server stopped'];
    const ours = logs.filter((l) => l.component === undefined && [...steps, 'stopped'].includes(l.msg)).map((l) => l.msg);
    expect(ours.filter((msg) => msg !== 'stopped')).toEqual(steps);
    expect(ours.filter((msg) => msg === 'stopped')).toHaveLength(1);
    // The dev server lived until the worker was done with it.
    expect(devServerGoneAt).toBeGreaterThanOrEqual(drained!.time);
    // The running activity finished its work: every user is in the target.
    expect(await listTarget(tenant, 'Users')).toHaveLength(USERS);
    // Bounded, quiet, and nothing left behind.
    expect(exited.at - signalledAt).toBeLessThan(30_000);
    expect(logs.filter((l) => l.time >= signalledAt && l.level >= 40)).toEqual([]);
    expect(logs.filter((l) => l.msg === 'shutting down')).toHaveLength(1);
    const banner = service.output.findIndex((l) => l === 'scimflow is running');
    expect(service.output.slice(banner + 8).filter((l) => l !== '' && !l.startsWith('{'))).toEqual([]);
    expect(isRunning(devServer!)).toBe(false);
    expect(await recordedDevServerPid(env.SCIMFLOW_DATA_DIR)).toBeUndefined();
  }, 120_000);
});

describe('SIGTERM while an activity cannot finish within SCIMFLOW_SHUTDOWN_SECONDS', () => {
  it('stops within the bound with exit status 1 and one warning; the cycle resumes when the service is back', async () => {
    showOutputOnFailure(children);
    const USERS = 10;
    // The first two creates get their answer only after 25 s.
    const { graph, tenant, proxy } = await peers(USERS, { ms: 25_000, times: 2 });
    const env = await settings('bounded', { SCIMFLOW_CONCURRENCY: '2', SCIMFLOW_SHUTDOWN_SECONDS: '10' });
    const first = startServiceChild(env, children);
    await first.ready;
    const created = await first.api('POST', '/api/v1/apps', appBody(graph, tenant, ONE_REQUEST_PER_CREATE));
    expect(created.status).toBe(201);
    const appId = created.body.id as string;
    const createInFlight = () => proxy.requests.some((r) => r.method === 'POST' && r.path.includes('/Users') && r.status === undefined);
    await until('a create in flight', async () => (createInFlight() ? true : undefined), 60_000, 50);
    const devServer = await recordedDevServerPid(env.SCIMFLOW_DATA_DIR);

    const signalledAt = Date.now();
    first.process.kill('SIGTERM');
    const exited = await first.exited;
    expect(exited.code).toBe(1);
    expect(exited.at - signalledAt).toBeLessThan(12_000);
    const warnings = first.logs().filter((l) => l.time >= signalledAt && l.level >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      'the worker did not drain in time; its running activities are retried from their last recorded group when a worker is back',
    ]);
    expect(isRunning(devServer!)).toBe(false);
    expect(await recordedDevServerPid(env.SCIMFLOW_DATA_DIR)).toBeUndefined();

    // Back on the same data dir, the interrupted cycle goes on from where it was recorded.
    const second = startServiceChild(env, children);
    await second.ready;
    const cycle = await until('the interrupted cycle to finish', () => lastCycle(second, appId), 90_000, 500);
    expect(cycle).toMatchObject({ kind: 'initial', state: 'succeeded' });
    expect(cycle.counts.failed).toBe(0);
    const users = await listTarget(tenant, 'Users');
    expect(users).toHaveLength(USERS);
    expect(new Set(users.map((u) => u.userName)).size).toBe(USERS);
    second.process.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 180_000);
});
