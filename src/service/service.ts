/**
 * The composition root: the one place that wires every layer together (store, Temporal
 * worker and client, activities, API). `npm start` and the end-to-end tests both use it.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Client, Connection } from '@temporalio/client';
import type { Worker, WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, realClients, type ClientFactories } from '../../activities/index';
import { createApi } from '../../api/app';
import { metricsApi } from '../../api/metrics';
import { temporalUnavailable } from '../../api/errors';
import { createDiscoveryControl } from '../../api/discovery-control';
import { createJobControl, type JobControl } from '../../api/jobs';
import { createLifecycleControl } from '../../api/lifecycle';
import { directoryOfApps } from '../lifecycle/directory';
import { employeeRefs } from '../lifecycle/employee-ref';
import { createAlertDeliverer, createAlerter, mailChannel, webhookChannel, type AlertChannel } from '../alerts/index';
import { createMetrics, type Metrics } from '../metrics/index';
import { scrapeSources } from '../metrics/scrape';
import { watchHealth, type DependencyCheck, type HealthMonitor } from '../health/index';
import type { Logger } from '../log/index';
import type { Store } from '../store/index';
import { probeTemporal, RECONNECT_QUICKLY } from '../temporal/health';
import { shareRateBudgets, type SharedBudgets } from '../scim/index';
import { encryptingDataConverter } from '../temporal/data-converter';
import { createPayloadCodec } from '../temporal/payload-codec';
import type { PayloadKeyring } from '../temporal/payload-keys';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/runtime';
import type { Tracing } from '../temporal/tracing';
import { bundleWorkflows, createWorker } from '../temporal/worker';
import { ensureAlertSchedule } from './alert-schedule';
import { ensureRetentionSchedule } from './retention-schedule';

/** Days the provisioning log is kept when not told otherwise (Entra's own retention). */
export const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Days the audit log is kept when not told otherwise. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
/** How long one health check of a dependency may take. */
const HEALTH_CHECK_TIMEOUT_MS = 2000;
/** How long an API request's Temporal call may take while Temporal is known to be away. */
const AWAY_CALL_DEADLINE_MS = 1000;
/** How long a stopping API lets open requests finish. */
const API_CLOSE_GRACE_MS = 2000;

export interface ServiceOptions {
  store: Store;
  logger: Logger;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  adminToken: string;
  /** The keys that encrypt every Temporal payload of the client and the worker (see loadOrCreatePayloadKeys). */
  payloadKeys: PayloadKeyring;
  /** The secret key (the store's): the opaque references to employee ids in workflow ids derive from it. */
  secretKey: Uint8Array;
  /** Origins (the Temporal UI's) whose browsers may call the codec endpoint; none when absent. */
  codecCorsOrigins?: string[];
  /** Where the API listens; no API when absent. */
  http?: { host: string; port: number };
  /** Where `GET /metrics` is served without a token, besides the API (which needs it); nowhere else when absent. */
  metricsHttp?: { host: string; port: number };
  /** Where the Temporal SDK serves its worker metrics (host:port); not served when absent. */
  temporalMetricsAddress?: string;
  /** OpenTelemetry tracing (see src/temporal/tracing.ts); its workflow interceptors must be in `workflowBundle`. */
  tracing?: Tracing;
  /** The metrics registry and instruments; a fresh one when absent. */
  metrics?: Metrics;
  /** Run a worker in this process (default true). */
  worker?: boolean;
  clients?: ClientFactories;
  workflowBundle?: WorkflowBundleOption;
  concurrency?: number;
  /** Where alerts go: a webhook (JSON signed with the secret) and/or e-mail over SMTP; logged only without either. */
  alerts?: AlertChannels;
  /** How often the dependencies are checked in the background (default 3 s). */
  healthIntervalMs?: number;
  /** How long a stop lets running activities finish (default 20 s); see createWorker. */
  drainTimeoutMs?: number;
  /** Days the provisioning log is kept (default 30); the retention schedule purges older entries. */
  logRetentionDays?: number;
  /** Days the audit log is kept (default 365); the same schedule purges older entries. */
  auditRetentionDays?: number;
  /**
   * Share each app's rate budget with the other workers through the database (default: when the
   * store is a PostgreSQL server, which other workers can reach).
   */
  shareRateBudgets?: boolean;
}

/** The alert channels of a deployment (the SCIMFLOW_ALERT_* and SCIMFLOW_SMTP_URL settings). */
export interface AlertChannels {
  webhook?: { url: string; secret: string };
  mail?: { url: string; from: string; to: readonly string[] };
}

function alertChannels(options: AlertChannels = {}): AlertChannel[] {
  return [...(options.webhook ? [webhookChannel(options.webhook)] : []), ...(options.mail ? [mailChannel(options.mail)] : [])];
}

export interface RunningService {
  apiUrl: string | undefined;
  /** The open metrics listener's root (`SCIMFLOW_METRICS_PORT`), when one runs. */
  metricsUrl: string | undefined;
  metrics: Metrics;
  client: Client;
  jobs: JobControl;
  worker: Worker | undefined;
  /** Temporal, the database and the worker, as `/readyz` reports them. */
  health: HealthMonitor;
  /**
   * Stops the worker first (running activities finish, for at most the drain timeout), then the
   * API, then closes the connections. `drained` is false when activities had to be abandoned.
   */
  stop(): Promise<{ drained: boolean }>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { store, logger } = options;
  const metrics = options.metrics ?? createMetrics();
  installTemporalRuntime(logger, { ...(options.temporalMetricsAddress && { metricsAddress: options.temporalMetricsAddress }) });
  const connection = await Connection.connect({ address: options.temporalAddress, channelArgs: RECONNECT_QUICKLY });
  const added = await registerSearchAttributes(connection, options.namespace);
  if (added.length) logger.info({ added }, 'registered search attributes');
  const dataConverter = encryptingDataConverter(options.payloadKeys);
  const client = new Client({
    connection,
    namespace: options.namespace,
    dataConverter,
    ...(options.tracing && { interceptors: options.tracing.client }),
  });
  const jobs = createJobControl(client, options.taskQueue);

  let stopping = false;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let closeWorkerConnection: (() => Promise<void>) | undefined;
  let sharedBudgets: SharedBudgets | undefined;
  const lifecycle = createLifecycleControl({
    client,
    store,
    taskQueue: options.taskQueue,
    directory: directoryOfApps(store),
    employeeRef: employeeRefs(options.secretKey),
    logger,
  });
  if (options.worker !== false) {
    const deliverer = createAlertDeliverer({ store, channels: alertChannels(options.alerts), logger });
    const activities = createActivities({
      store,
      clients: options.clients ?? realClients(),
      logger,
      alerter: createAlerter({ store, logger, deliverer }),
      deliverer,
      jobState: (appId) => jobs.state(appId),
      deliverEvent: (input) => lifecycle.deliver(input),
      metrics,
      ...(options.concurrency && { concurrency: options.concurrency }),
    });
    const created = await createWorker({
      address: options.temporalAddress,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      activities,
      dataConverter,
      workflowBundle:
        options.workflowBundle ?? (await bundleWorkflows(options.tracing ? { interceptorModules: options.tracing.workflowModules } : {})),
      ...(options.tracing && { interceptors: options.tracing.worker, sinks: options.tracing.sinks }),
      ...(options.drainTimeoutMs !== undefined && { drainTimeoutMs: options.drainTimeoutMs }),
    });
    worker = created.worker;
    closeWorkerConnection = () => created.connection.close();
    if (options.shareRateBudgets ?? store.shared) sharedBudgets = shareRateBudgets({ board: store.rateBudgets, logger });
    workerRun = worker.run();
    workerRun.catch((error: unknown) => {
      // A stop reports its own outcome; this is the worker failing while the service runs.
      if (!stopping) logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'worker stopped');
    });
  }

  async function ensureJobs(): Promise<void> {
    for (const app of await store.apps.list()) await jobs.ensure(app.id, app.schedule.intervalMinutes);
  }

  const temporalProbe = probeTemporal(options.temporalAddress);
  const checks: DependencyCheck[] = [
    { name: 'temporal', check: () => temporalProbe.check(HEALTH_CHECK_TIMEOUT_MS - 250) },
    { name: 'database', check: () => store.ping() },
  ];
  if (worker) {
    const running = worker;
    checks.push({
      name: 'worker',
      check: async () => {
        const state = running.getState();
        if (state !== 'RUNNING') throw new Error(`the worker is ${state.toLowerCase()}`);
      },
    });
  }
  // A request is answered 503 as soon as Temporal is seen to go away (instead of after ~20 s of
  // retries), and its Temporal calls fail within a second while Temporal is away.
  const waiting = new Set<(reason: string) => void>();
  const health = watchHealth({
    checks,
    logger,
    timeoutMs: HEALTH_CHECK_TIMEOUT_MS,
    ...(options.healthIntervalMs && { intervalMs: options.healthIntervalMs }),
    onAway: (name, reason) => {
      if (name === 'temporal') for (const leave of waiting) leave(reason);
    },
    // Apps created while Temporal was away get their job as soon as it is back.
    onBack: (name) => {
      if (name === 'temporal' || name === 'database')
        ensureJobs().catch((error: unknown) =>
          logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, "starting the apps' jobs failed"),
        );
    },
  });
  const temporalCalls = async <T>(work: () => Promise<T>): Promise<T> => {
    if (health.away('temporal') !== undefined) return connection.withDeadline(Date.now() + AWAY_CALL_DEADLINE_MS, work);
    let leave: (reason: string) => void = () => {};
    const gone = new Promise<never>((_, reject) => {
      leave = (reason) => reject(temporalUnavailable(reason));
    });
    waiting.add(leave);
    const running = work();
    // When Temporal goes away first, the work goes on unheard; its eventual failure is expected.
    running.catch(() => {});
    try {
      return await Promise.race([running, gone]);
    } finally {
      waiting.delete(leave);
    }
  };

  metrics.scrapeFrom(
    scrapeSources({
      store,
      jobState: (appId) => jobs.state(appId),
      countWorkflows: (query) => client.workflow.count(query),
      taskQueue: options.taskQueue,
    }),
  );

  let server: ServerType | undefined;
  let apiUrl: string | undefined;
  if (options.http) {
    const app = createApi({
      store,
      jobs,
      discovery: createDiscoveryControl(client, options.taskQueue),
      lifecycle,
      adminToken: options.adminToken,
      logger,
      health,
      temporalCalls,
      metrics: metrics.registry,
      payloadCodec: createPayloadCodec(options.payloadKeys),
      ...(options.codecCorsOrigins && { codecCorsOrigins: options.codecCorsOrigins }),
    });
    ({ server, url: apiUrl } = await listen(app.fetch, options.http));
  }
  let metricsServer: ServerType | undefined;
  let metricsUrl: string | undefined;
  if (options.metricsHttp) {
    ({ server: metricsServer, url: metricsUrl } = await listen(metricsApi(metrics.registry, health).fetch, options.metricsHttp));
  }

  // Every app has a running job, also after the Temporal cluster lost its state.
  await ensureJobs();
  const retentionSchedule = await ensureRetentionSchedule(client, options.taskQueue, [
    { log: 'provisioning-log', days: options.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS },
    { log: 'audit-log', days: options.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS },
  ]);
  logger.debug(
    { schedule: retentionSchedule, days: options.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS },
    'retention schedule up to date',
  );
  logger.debug({ schedule: await ensureAlertSchedule(client, options.taskQueue) }, 'alert schedule up to date');

  return {
    apiUrl,
    metricsUrl,
    metrics,
    client,
    jobs,
    worker,
    health,
    async stop() {
      stopping = true;
      health.stopping();
      let drained = true;
      if (worker && worker.getState() !== 'FAILED') {
        const running = worker.getStatus().numInFlightActivities;
        if (worker.getState() === 'RUNNING') worker.shutdown();
        const startedAt = Date.now();
        try {
          await workerRun;
          logger.info({ activities: running, ms: Date.now() - startedAt }, 'worker drained');
        } catch {
          drained = false;
          logger.warn(
            { activities: worker.getStatus().numInFlightActivities },
            'the worker did not drain in time; its running activities are retried from their last recorded group when a worker is back',
          );
        }
      }
      await sharedBudgets?.stop();
      if (metricsServer) {
        const closing = metricsServer;
        await new Promise<void>((done) => closing.close(() => done()));
      }
      if (server) {
        const closing = server;
        await new Promise<void>((done) => {
          // Requests still open after a moment are cut: nobody waits on them any more.
          const cut = setTimeout(() => (closing as { closeAllConnections?: () => void }).closeAllConnections?.(), API_CLOSE_GRACE_MS);
          closing.close(() => {
            clearTimeout(cut);
            done();
          });
        });
        logger.info('API stopped');
      }
      await closeWorkerConnection?.();
      health.close();
      await temporalProbe.close();
      await connection.close();
      return { drained };
    },
  };
}

/** Listens on a host and port (0: a free one); resolves with the server and its root URL. */
async function listen(fetch: (request: Request) => Response | Promise<Response>, at: { host: string; port: number }) {
  const server = await new Promise<ServerType>((resolveServer) => {
    const s = serve({ fetch, hostname: at.host, port: at.port }, () => resolveServer(s));
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${at.host.includes(':') ? `[${at.host}]` : at.host}:${port}` };
}
