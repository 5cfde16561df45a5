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
import { createJobControl, type JobControl } from '../../api/jobs';
import { createLifecycleControl } from '../../api/lifecycle';
import { directoryOfApps } from '../lifecycle/directory';
import { createAlerter } from '../alerts/index';
import type { Logger } from '../log/index';
import type { Store } from '../store/index';
import { registerSearchAttributes } from '../temporal/search-attributes';
import { installTemporalRuntime } from '../temporal/runtime';
import { bundleWorkflows, createWorker } from '../temporal/worker';

export interface ServiceOptions {
  store: Store;
  logger: Logger;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  adminToken: string;
  /** Where the API listens; no API when absent. */
  http?: { host: string; port: number };
  /** Run a worker in this process (default true). */
  worker?: boolean;
  clients?: ClientFactories;
  workflowBundle?: WorkflowBundleOption;
  concurrency?: number;
  /** Where alerts (e.g. a quarantine) are POSTed as JSON. */
  alertWebhookUrl?: string;
}

export interface RunningService {
  apiUrl: string | undefined;
  client: Client;
  jobs: JobControl;
  worker: Worker | undefined;
  /** Stops the API and the worker (letting running activities finish) and closes connections. */
  stop(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { store, logger } = options;
  installTemporalRuntime(logger);
  const connection = await Connection.connect({ address: options.temporalAddress });
  const added = await registerSearchAttributes(connection, options.namespace);
  if (added.length) logger.info({ added }, 'registered search attributes');
  const client = new Client({ connection, namespace: options.namespace });
  const jobs = createJobControl(client, options.taskQueue);

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let closeWorkerConnection: (() => Promise<void>) | undefined;
  if (options.worker !== false) {
    const alerter = createAlerter({ webhookUrl: options.alertWebhookUrl, logger });
    const activities = createActivities({
      store,
      clients: options.clients ?? realClients(),
      logger,
      alerter,
      ...(options.concurrency && { concurrency: options.concurrency }),
    });
    const created = await createWorker({
      address: options.temporalAddress,
      namespace: options.namespace,
      taskQueue: options.taskQueue,
      activities,
      workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    });
    worker = created.worker;
    closeWorkerConnection = () => created.connection.close();
    workerRun = worker.run();
    workerRun.catch((error: unknown) =>
      logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'worker stopped'),
    );
  }

  let server: ServerType | undefined;
  let apiUrl: string | undefined;
  if (options.http) {
    const lifecycle = createLifecycleControl({ client, store, taskQueue: options.taskQueue, directory: directoryOfApps(store), logger });
    const app = createApi({ store, jobs, lifecycle, adminToken: options.adminToken, logger });
    server = await new Promise<ServerType>((resolveServer) => {
      const s = serve({ fetch: app.fetch, hostname: options.http!.host, port: options.http!.port }, () => resolveServer(s));
    });
    const address = server.address() as AddressInfo;
    apiUrl = `http://${options.http.host.includes(':') ? `[${options.http.host}]` : options.http.host}:${address.port}`;
  }

  // Every app has a running job, also after the Temporal cluster lost its state.
  for (const app of await store.apps.list()) await jobs.ensure(app.id, app.schedule.intervalMinutes);

  return {
    apiUrl,
    client,
    jobs,
    worker,
    async stop() {
      if (server) await new Promise<void>((done) => server.close(() => done()));
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun?.catch(() => {});
      await closeWorkerConnection?.();
      await connection.close();
    },
  };
}
