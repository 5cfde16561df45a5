/**
 * The probes (`/livez`, `/readyz`, `/healthz`) and the 503 answers while Temporal or the
 * database is away, on a real app instance with fakes for what lies behind it.
 */
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { HealthReport } from '../src/health/index';
import { createLogger } from '../src/log/index';
import type { Store } from '../src/store/index';
import { createApi } from './app';
import type { JobControl } from './jobs';

const TOKEN = 'admin-token-for-tests-0123456789';
const logger = createLogger({ level: 'silent' });
const app = { id: 'a1', schedule: { intervalMinutes: 40 } };
const store = { apps: { get: async (id: string) => (id === app.id ? app : undefined), list: async () => [app] } } as unknown as Store;

/** What the Temporal client throws when the server does not answer: a ServiceError over a gRPC UNAVAILABLE status. */
function temporalUnavailable(): ServiceError {
  const details = 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7233. Resolution note: ';
  const cause = Object.assign(new Error(`14 UNAVAILABLE: ${details}`), { code: 14, details, metadata: {} });
  return new ServiceError('Failed to query Workflow', { cause });
}

function jobsFailingWith(error: unknown): JobControl {
  const fail = async () => Promise.reject(error);
  return {
    ensure: fail,
    pause: fail,
    resume: fail,
    runNow: fail,
    allowDeletes: fail,
    restart: fail,
    quarantine: fail,
    setInterval: fail,
    stop: fail,
    status: fail,
    state: fail,
    provisionOnDemand: fail,
    preview: fail,
  };
}

const report = (status: HealthReport['status'], down: Record<string, string> = {}): HealthReport => ({
  status,
  unavailable: Object.keys(down),
  dependencies: {
    temporal: down.temporal ? { status: 'down', message: down.temporal, since: '2026-12-03T07:00:00.000Z' } : { status: 'up' },
    database: down.database ? { status: 'down', message: down.database, since: '2026-12-03T07:00:00.000Z' } : { status: 'up' },
  },
});

async function get(api: ReturnType<typeof createApi>, path: string, token: string | null = null) {
  const response = await api.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: (await response.json()) as any };
}

describe('probes', () => {
  it('answer 200 with every dependency up, without the admin token', async () => {
    const api = createApi({
      store,
      jobs: jobsFailingWith(new Error('unused')),
      adminToken: TOKEN,
      logger,
      health: fakeHealth(report('ok')),
    });
    for (const path of ['/livez', '/readyz', '/healthz']) expect((await get(api, path)).status).toBe(200);
    expect((await get(api, '/healthz')).body).toEqual(report('ok'));
  });

  it('answer 503 naming what is away and why, while /livez stays 200', async () => {
    const away = report('unavailable', { temporal: 'the local Temporal dev server exited (signal SIGKILL); it is being started again' });
    const api = createApi({ store, jobs: jobsFailingWith(new Error('unused')), adminToken: TOKEN, logger, health: fakeHealth(away) });
    for (const path of ['/readyz', '/healthz']) {
      const answer = await get(api, path);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        status: 'unavailable',
        unavailable: ['temporal'],
        dependencies: { temporal: { status: 'down', message: expect.stringContaining('dev server exited') }, database: { status: 'up' } },
      });
    }
    expect(await get(api, '/livez')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('fail readiness while the service stops', async () => {
    const api = createApi({
      store,
      jobs: jobsFailingWith(new Error('unused')),
      adminToken: TOKEN,
      logger,
      health: fakeHealth(report('stopping')),
    });
    expect((await get(api, '/readyz')).status).toBe(503);
    expect((await get(api, '/livez')).status).toBe(200);
  });
});

describe('while a peer is away', () => {
  it('a route that needs Temporal answers 503 TemporalUnavailable with the reason, not 500 "Failed to query Workflow"', async () => {
    const reason = 'the local Temporal dev server exited (signal SIGKILL); it is being started again';
    const api = createApi({
      store,
      jobs: jobsFailingWith(temporalUnavailable()),
      adminToken: TOKEN,
      logger,
      health: fakeHealth(report('unavailable', { temporal: reason })),
    });
    const answer = await get(api, `/api/v1/apps/${app.id}/status`, TOKEN);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toEqual({
      code: 'TemporalUnavailable',
      peer: 'temporal',
      message: `Temporal is not available (${reason}); try again when GET /readyz answers 200`,
    });
  });

  it('says what the Temporal client saw when the service has not noticed yet', async () => {
    const api = createApi({ store, jobs: jobsFailingWith(temporalUnavailable()), adminToken: TOKEN, logger });
    const answer = await get(api, `/api/v1/apps/${app.id}/status`, TOKEN);
    expect(answer.status).toBe(503);
    expect(answer.body.error.message).toBe(
      'Temporal is not available (No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:7233.); try again when GET /readyz answers 200',
    );
  });

  it.each([
    [9, 'no poller seen for task queue recently, worker may be down'],
    [4, 'query timed out before a worker could process it'],
  ])('a query no worker takes up (gRPC %i) answers 503 WorkerUnavailable', async (code, details) => {
    const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
    const api = createApi({
      store,
      jobs: jobsFailingWith(new ServiceError('Failed to query Workflow', { cause })),
      adminToken: TOKEN,
      logger,
    });
    const answer = await get(api, `/api/v1/apps/${app.id}/status`, TOKEN);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toEqual({
      code: 'WorkerUnavailable',
      peer: 'worker',
      message: `no worker took up the request (${details}); try again when GET /readyz answers 200`,
    });
  });

  it.each([
    [8, 'limit on number of concurrent in-flight updates has been reached (10)', 'TemporalBusy'],
    [9, 'Unable to query workflow due to Workflow Task in failed state.', 'JobUnavailable'],
  ])('a refusal of the moment (gRPC %i) answers 503, naming Temporal', async (code, details, expected) => {
    const cause = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
    const api = createApi({
      store,
      jobs: jobsFailingWith(new ServiceError('Workflow Update failed', { cause })),
      adminToken: TOKEN,
      logger,
    });
    const answer = await get(api, `/api/v1/apps/${app.id}/status`, TOKEN);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: expected, peer: 'temporal' });
    expect(answer.body.error.message).toMatch(/try again/);
  });

  it.each([
    ['Timeout', new TimeoutFailure('activity StartToClose timeout', undefined, 'START_TO_CLOSE')],
    [
      'Interrupted',
      ApplicationFailure.create({
        message: 'Workflow Update failed because the Workflow completed before the Update completed',
        type: 'AcceptedUpdateCompletedWorkflow',
      }),
    ],
  ])('an on-demand update that failed without the work’s own error answers 503 %s, not 500', async (code, cause) => {
    const jobs = {
      ...jobsFailingWith(new Error('unused')),
      ensure: async () => {},
      status: async () => ({ state: 'active' }),
      provisionOnDemand: async () => Promise.reject(new WorkflowUpdateFailedError('Workflow Update failed', cause)),
    } as unknown as JobControl;
    const api = createApi({ store, jobs, adminToken: TOKEN, logger });
    const response = await api.request(`/api/v1/apps/${app.id}/provision-on-demand`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ objectId: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11' }),
    });
    const body = (await response.json()) as any;
    expect(response.status).toBe(503);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain(cause.message);
  });

  it('a route that needs the database answers 503 DatabaseUnavailable', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const down = { apps: { get: async () => Promise.reject(refused) } } as unknown as Store;
    const api = createApi({ store: down, jobs: jobsFailingWith(new Error('unused')), adminToken: TOKEN, logger });
    const answer = await get(api, `/api/v1/apps/${app.id}`, TOKEN);
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'DatabaseUnavailable', peer: 'store' });
    expect(answer.body.error.message).toContain('connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('runs every API request through temporalCalls, so the service can bound its Temporal calls', async () => {
    const ran: string[] = [];
    const api = createApi({
      store,
      jobs: jobsFailingWith(temporalUnavailable()),
      adminToken: TOKEN,
      logger,
      temporalCalls: async (work) => {
        ran.push('bounded');
        return work();
      },
    });
    await get(api, `/api/v1/apps/${app.id}/status`, TOKEN);
    await get(api, '/healthz');
    expect(ran).toEqual(['bounded']);
  });
});

function fakeHealth(fixed: HealthReport) {
  return {
    report: async () => fixed,
    away: (name: string) => fixed.dependencies[name]?.message,
  };
}
