/**
 * An end-to-end harness: the real service (API, worker, workflows, activities) on a fresh
 * PostgreSQL database and a unique task queue of the shared Temporal dev server, the Graph fake,
 * and a fresh scim2-server tenant per app.
 */
import { randomBytes } from 'node:crypto';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { realClients } from '../../activities/index';
import type { Tracing } from '../../src/temporal/tracing';
import { createLogger } from '../../src/log/index';
import type { ScimRequestInfo } from '../../src/scim/index';
import { alertScheduleId } from '../../src/service/alert-schedule';
import { retentionScheduleId } from '../../src/service/retention-schedule';
import { startService, type AlertChannels, type RunningService } from '../../src/service/service';
import { openDatabase, type Store } from '../../src/store/index';
import { parsePayloadKeys } from '../../src/temporal/payload-keys';
import { startFakeGraph, type FakeGraph, type FakeGraphOptions } from '../fakes/graph/index';
import { createTestDatabase, type TestDatabase } from './database';
import { freshScimTenant, testEnv, uniqueName } from './env';
import { TEST_PAYLOAD_KEYS } from './payload-keys';

export interface Harness {
  service: RunningService;
  store: Store;
  graph: FakeGraph;
  database: TestDatabase;
  secretKey: Buffer;
  /** The payload keys of the service, in `SCIMFLOW_PAYLOAD_KEYS` form. */
  payloadKeys: string;
  taskQueue: string;
  adminToken: string;
  scimRequests: (ScimRequestInfo & { at: number })[];
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }>;
  /** Creates an app on a fresh SCIM tenant; returns its id and the tenant's base URL. */
  createApp(overrides?: Record<string, unknown>): Promise<{ id: string; scimBaseUrl: string }>;
  /** The Graph fake's source settings, but with a tenant nobody answers for (a closed loopback port). */
  unreachableSource(): Record<string, unknown>;
  /** Waits until the app's last cycle is another than `previousId` and returns it. */
  waitForCycle(appId: string, previousId?: string | null, timeoutMs?: number): Promise<any>;
  /** Every user in a SCIM tenant. */
  targetUsers(scimBaseUrl: string): Promise<any[]>;
  /** Every group in a SCIM tenant, with its members. */
  targetGroups(scimBaseUrl: string): Promise<any[]>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    worker?: boolean;
    graphPageSize?: number;
    concurrency?: number;
    /** Where alerts go (see ServiceOptions.alerts); an AlertWebhook fits as the webhook. */
    alerts?: AlertChannels;
    /** The Graph fake's tenant, e.g. a client secret known to the test. */
    graph?: Omit<FakeGraphOptions, 'maxPageSize'>;
    /** Serve `GET /metrics` open on a port of its own too (a free loopback port): `service.metricsUrl`. */
    metricsPort?: boolean;
    /** Where the Temporal SDK serves its worker metrics (host:port), when this is the first service of the test process. */
    temporalMetricsAddress?: string;
    /** OpenTelemetry tracing, with a workflow bundle that holds its interceptors. */
    tracing?: { tracing: Tracing; workflowBundle: WorkflowBundleOption };
    /** Where the service logs (at info, as it runs by default); nowhere when absent. */
    logDestination?: NodeJS.WritableStream;
    /** The payload keys (`SCIMFLOW_PAYLOAD_KEYS` form); the test process's own when absent. */
    payloadKeys?: string;
  } = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const secretKey = randomBytes(32);
  const store = await openDatabase({ url: database.url, secretKey, onConnectionError: () => {} });
  const graph = await startFakeGraph({ ...options.graph, maxPageSize: options.graphPageSize ?? 999 });
  const scimRequests: (ScimRequestInfo & { at: number })[] = [];
  const taskQueue = uniqueName('e2e');
  const adminToken = randomBytes(24).toString('base64url');
  const payloadKeys = options.payloadKeys ?? TEST_PAYLOAD_KEYS;
  const service = await startService({
    store,
    logger: options.logDestination
      ? createLogger({ level: 'info', destination: options.logDestination })
      : createLogger({ level: 'silent' }),
    temporalAddress: testEnv.temporalAddress,
    namespace: 'default',
    taskQueue,
    adminToken,
    payloadKeys: parsePayloadKeys(payloadKeys),
    secretKey,
    http: { host: '127.0.0.1', port: 0 },
    ...(options.metricsPort && { metricsHttp: { host: '127.0.0.1', port: 0 } }),
    ...(options.temporalMetricsAddress && { temporalMetricsAddress: options.temporalMetricsAddress }),
    worker: options.worker ?? true,
    clients: realClients({
      onScimRequest: (info) => scimRequests.push({ ...info, at: Date.now() }),
      ...(options.graphPageSize && { graphPageSize: options.graphPageSize }),
    }),
    workflowBundle: options.tracing?.workflowBundle ?? { codePath: testEnv.workflowBundlePath },
    ...(options.tracing && { tracing: options.tracing.tracing }),
    ...(options.concurrency && { concurrency: options.concurrency }),
    ...(options.alerts && { alerts: options.alerts }),
  });
  const appIds: string[] = [];

  async function api(method: string, path: string, body?: unknown, token: string | null = adminToken) {
    const response = await fetch(`${service.apiUrl}${path}`, {
      method,
      headers: {
        ...(token !== null && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as any };
  }

  return {
    service,
    store,
    graph,
    database,
    secretKey,
    payloadKeys,
    taskQueue,
    adminToken,
    scimRequests,
    api,
    async createApp(overrides = {}) {
      const scimBaseUrl = freshScimTenant();
      const created = await api('POST', '/api/v1/apps', appBody(graph, scimBaseUrl, overrides));
      if (created.status !== 201) throw new Error(`creating the app failed: ${created.status} ${JSON.stringify(created.body)}`);
      appIds.push(created.body.id);
      return { id: created.body.id as string, scimBaseUrl };
    },
    unreachableSource: () => ({
      ...graph.sourceConfig(),
      clientSecret: graph.clientSecret,
      authorityHost: 'https://127.0.0.1:9',
      graphBaseUrl: 'https://127.0.0.1:9/v1.0',
    }),
    async waitForCycle(appId, previousId = null, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const status = await api('GET', `/api/v1/apps/${appId}/status`);
        const last = status.body?.lastCycle;
        if (last && last.id !== previousId) return last;
        if (Date.now() > deadline) throw new Error(`no new cycle of app ${appId} within ${timeoutMs} ms: ${JSON.stringify(status.body)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    targetUsers: (scimBaseUrl) => listTarget(scimBaseUrl, 'Users'),
    targetGroups: (scimBaseUrl) => listTarget(scimBaseUrl, 'Groups'),
    async close() {
      for (const id of appIds) await service.jobs.stop(id).catch(() => {});
      // The dev server outlives the test: its schedules must not go on starting runs nobody works on.
      for (const scheduleId of [alertScheduleId(taskQueue), retentionScheduleId(taskQueue)])
        await service.client.schedule
          .getHandle(scheduleId)
          .delete()
          .catch(() => {});
      await service.stop();
      await graph.close();
      await store.close();
      await database.drop();
    },
  };
}

/** App settings that make each create its own POST /Users (no SCIM Bulk), for tests that pace a target by its requests. */
export const ONE_REQUEST_PER_CREATE = { capabilities: { overrides: { bulk: { supported: false } } } };

/** The body that creates an app reading the Graph fake and writing into a SCIM tenant (60-minute cadence). */
export function appBody(graph: FakeGraph, scimBaseUrl: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    displayName: uniqueName('app'),
    source: { ...graph.sourceConfig(), clientSecret: graph.clientSecret },
    target: { type: 'scim', baseUrl: scimBaseUrl, auth: { type: 'bearer', token: testEnv.scimToken } },
    schedule: { intervalMinutes: 60 },
    ...overrides,
  };
}

/** Every resource of an endpoint of a SCIM tenant, read page by page. */
export async function listTarget(scimBaseUrl: string, endpoint: 'Users' | 'Groups', token = testEnv.scimToken): Promise<any[]> {
  const resources: any[] = [];
  for (let startIndex = 1; ;) {
    const response = await fetch(`${scimBaseUrl}/${endpoint}?startIndex=${startIndex}&count=500`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await response.json()) as { Resources?: any[]; totalResults: number };
    resources.push(...(page.Resources ?? []));
    if (!page.Resources?.length || resources.length >= page.totalResults) return resources;
    startIndex += page.Resources.length;
  }
}
