/**
 * A scimflow worker alone in its own process, for tests that kill it (SIGKILL) mid-cycle.
 * Settings come from the environment the test passes.
 */
import { realClients } from '../../activities/index';
import { createLogger } from '../../src/log/index';
import { startService } from '../../src/service/service';
import { openDatabase, parseSecretKey } from '../../src/store/index';
import { parsePayloadKeys } from '../../src/temporal/payload-keys';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const secretKey = parseSecretKey(env('WORKER_SECRET_KEY'));
const store = await openDatabase({
  url: env('WORKER_DATABASE_URL'),
  secretKey,
  onConnectionError: () => {},
});
await startService({
  store,
  logger: createLogger({ level: 'silent' }),
  temporalAddress: env('WORKER_TEMPORAL_ADDRESS'),
  namespace: 'default',
  taskQueue: env('WORKER_TASK_QUEUE'),
  adminToken: 'unused-by-a-worker-only-process',
  payloadKeys: parsePayloadKeys(env('WORKER_PAYLOAD_KEYS')),
  secretKey,
  clients: realClients({ graphPageSize: Number(process.env.WORKER_GRAPH_PAGE_SIZE ?? 999) }),
  workflowBundle: { codePath: env('WORKER_WORKFLOW_BUNDLE') },
  concurrency: Number(process.env.WORKER_CONCURRENCY ?? 8),
  shareRateBudgets: process.env.WORKER_SHARE_RATE_BUDGETS !== 'false',
});
process.stdout.write('worker ready\n');
