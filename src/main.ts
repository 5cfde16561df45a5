/**
 * `npm start`: the whole service in one process. Without TEMPORAL_ADDRESS it runs a local
 * Temporal dev server (with its Web UI) whose state is kept in the data dir; without
 * DATABASE_URL an embedded PostgreSQL (PGlite) in the data dir.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from './log/index';
import { loadOrCreateAdminToken } from './service/admin-token';
import { startService } from './service/service';
import { readSettings, SettingsError, type Settings } from './service/settings';
import { openDatabase } from './store/index';
import { startDevServer, type DevServer } from './temporal/dev-server';

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
await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });

let devServer: DevServer | undefined;
let temporalAddress = settings.TEMPORAL_ADDRESS;
if (!temporalAddress) {
  logger.info({ port: settings.TEMPORAL_PORT, uiPort: settings.TEMPORAL_UI_PORT }, 'starting a local Temporal dev server');
  devServer = await startDevServer({
    port: settings.TEMPORAL_PORT,
    uiPort: settings.TEMPORAL_UI_PORT,
    dbFilename: join(settings.dataDir, 'temporal.db'),
    log: (line) => logger.info(line),
  });
  temporalAddress = devServer.address;
}

const store = await openDatabase(
  settings.DATABASE_URL ? { url: settings.DATABASE_URL, dataDir: settings.dataDir } : { dataDir: settings.dataDir },
);
const admin = await loadOrCreateAdminToken(settings.dataDir, settings.SCIMFLOW_ADMIN_TOKEN);

const service = await startService({
  store,
  logger,
  temporalAddress,
  namespace: settings.TEMPORAL_NAMESPACE,
  taskQueue: settings.TEMPORAL_TASK_QUEUE,
  adminToken: admin.token,
  http: { host: settings.HOST, port: settings.PORT },
  concurrency: settings.SCIMFLOW_CONCURRENCY,
  ...(settings.SCIMFLOW_ALERT_WEBHOOK_URL && { alertWebhookUrl: settings.SCIMFLOW_ALERT_WEBHOOK_URL }),
});

const lines = [
  '',
  'scimflow is running',
  `  API          ${service.apiUrl}/api/v1`,
  `  API docs     ${service.apiUrl}/api/v1/docs`,
  `  Temporal UI  ${devServer?.uiUrl ?? `(the Temporal cluster at ${temporalAddress})`}`,
  `  Database     ${settings.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded, in ${join(settings.dataDir, 'pglite')}`}`,
  admin.origin === 'env' ? '  Admin token  from SCIMFLOW_ADMIN_TOKEN' : `  Admin token  ${admin.token}   (kept in ${admin.file})`,
  '',
];
process.stdout.write(lines.join('\n') + '\n');

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
    await service.stop();
    await store.close();
    await devServer?.stop();
  } finally {
    clearTimeout(force);
  }
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
