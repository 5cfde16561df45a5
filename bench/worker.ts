/**
 * The benchmark's worker process: the whole service (worker, activities, API on loopback) on
 * its own store, so that its memory is measured apart from the servers and fakes around it.
 * Driven by the parent over IPC (see worker-protocol.ts); it counts every SCIM request.
 */
import { randomBytes } from 'node:crypto';
import { realClients } from '../activities/index';
import { createLogger } from '../src/log/index';
import { startService, type RunningService } from '../src/service/service';
import { openDatabase, type Store } from '../src/store/index';
import { parsePayloadKeys } from '../src/temporal/payload-keys';
import { countRequest, emptyTally } from './scim-tally';
import type { FromWorker, ToWorker, WorkerConfig } from './worker-protocol';

if (!process.send) throw new Error('bench/worker.ts runs as a child of the benchmark (IPC channel missing)');

const scim = emptyTally();
let store: Store | undefined;
let service: RunningService | undefined;

function send(message: FromWorker): void {
  process.send!(message);
}

async function start(config: WorkerConfig): Promise<void> {
  const secretKey = randomBytes(32);
  store = await openDatabase(config.databaseUrl ? { url: config.databaseUrl, secretKey, onConnectionError: () => {} } : { secretKey });
  service = await startService({
    store,
    logger: createLogger({ level: 'warn', name: 'bench-worker' }),
    temporalAddress: config.temporalAddress,
    namespace: 'default',
    taskQueue: config.taskQueue,
    adminToken: config.adminToken,
    payloadKeys: parsePayloadKeys(config.payloadKeys),
    secretKey,
    http: { host: '127.0.0.1', port: 0 },
    clients: realClients({ onScimRequest: (info) => countRequest(scim, info), graphPageSize: config.graphPageSize }),
    workflowBundle: { codePath: config.workflowBundlePath },
    concurrency: config.concurrency,
  });
  send({ type: 'ready', apiUrl: service.apiUrl! });
}

async function stop(): Promise<void> {
  await service?.stop();
  await store?.close();
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'start') {
    start(message.config).catch((error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    });
  } else if (message.type === 'report') {
    send({ type: 'report', scim });
  } else if (message.type === 'stop') {
    void stop().finally(() => {
      send({ type: 'stopped' });
      process.disconnect();
      process.exit(0);
    });
  }
});

// The parent is gone (crashed or killed): leave no orphan behind.
process.on('disconnect', () => process.exit(0));
