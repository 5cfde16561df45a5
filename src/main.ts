/**
 * `npm start`: the whole service in one process. Without TEMPORAL_ADDRESS it runs a local
 * Temporal dev server (with its Web UI) whose state is kept in the data dir; without
 * DATABASE_URL an embedded PostgreSQL (PGlite) in the data dir.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from './log/index';
import { loadOrCreateAdminToken } from './service/admin-token';
import { startService, type RunningService } from './service/service';
import { readSettings, SettingsError, type Settings } from './service/settings';
import { openDatabase, type Store } from './store/index';
import { startLocalTemporal, type LocalTemporal } from './temporal/local-server';
import { bundleWorkflows } from './temporal/worker';

let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  // Nothing is started or written yet: one line for the operator, and exit status 2 (a usage error).
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`scimflow: ${error.message}\n`);
  process.exit(2);
}
const logger = createLogger({ level: settings.LOG_LEVEL });

let localTemporal: LocalTemporal | undefined;
let store: Store | undefined;
let service: RunningService | undefined;
// Whatever ends the process (a crash included), the dev server it started ends with it.
process.on('exit', () => localTemporal?.killNow());

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const force = setTimeout(() => {
    logger.error('shutdown took too long; exiting');
    process.exit(1);
  }, 30_000);
  force.unref();
  try {
    await service?.stop();
    await store?.close();
    await localTemporal?.stop();
  } finally {
    clearTimeout(force);
  }
  logger.info('stopped');
  process.exit(0);
}
// Also during start-up: what has started is stopped.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });
  // Bundling the workflows takes a few seconds: it runs while the dev server starts.
  const workflowBundle = bundleWorkflows();
  workflowBundle.catch(() => {});

  let temporalAddress = settings.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    logger.info({ port: settings.TEMPORAL_PORT, uiPort: settings.TEMPORAL_UI_PORT }, 'starting a local Temporal dev server');
    localTemporal = await startLocalTemporal({
      dataDir: settings.dataDir,
      port: settings.TEMPORAL_PORT,
      uiPort: settings.TEMPORAL_UI_PORT,
      logger,
      onExit: (reason) => service?.health.markAway('temporal', reason),
    });
    temporalAddress = localTemporal.address;
  }

  store = await openDatabase({
    dataDir: settings.dataDir,
    ...(settings.DATABASE_URL && {
      url: settings.DATABASE_URL,
      // The pool re-opens it for the next query; the health monitor says when the server is away.
      onConnectionError: (error: Error) => logger.debug({ err: { message: error.message } }, 'a database connection broke'),
    }),
  });
  const admin = await loadOrCreateAdminToken(settings.dataDir, settings.SCIMFLOW_ADMIN_TOKEN);

  service = await startService({
    store,
    logger,
    temporalAddress,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    adminToken: admin.token,
    http: { host: settings.HOST, port: settings.PORT },
    concurrency: settings.SCIMFLOW_CONCURRENCY,
    workflowBundle: await workflowBundle,
    ...(settings.SCIMFLOW_ALERT_WEBHOOK_URL && { alertWebhookUrl: settings.SCIMFLOW_ALERT_WEBHOOK_URL }),
  });

  const lines = [
    '',
    'scimflow is running',
    `  API          ${service.apiUrl}/api/v1`,
    `  API docs     ${service.apiUrl}/api/v1/docs`,
    `  Temporal UI  ${localTemporal?.uiUrl ?? `(the Temporal cluster at ${temporalAddress})`}`,
    `  Database     ${settings.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded, in ${join(settings.dataDir, 'pglite')}`}`,
    admin.origin === 'env' ? '  Admin token  from SCIMFLOW_ADMIN_TOKEN' : `  Admin token  ${admin.token}   (kept in ${admin.file})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (error) {
  logger.fatal({ err: { message: error instanceof Error ? error.message : String(error) } }, 'start-up failed');
  process.exit(1);
}
