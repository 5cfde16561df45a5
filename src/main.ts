/**
 * `npm start`: the whole service in one process. Without TEMPORAL_ADDRESS it runs a local
 * Temporal dev server (with its Web UI) whose state is kept in the data dir; without
 * DATABASE_URL an embedded PostgreSQL (PGlite) in the data dir.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { applyDeclaredApps } from './config/apply';
import { AppsFileError, readAppsFile, type DeclaredApp } from './config/apps-file';
import { createLogger } from './log/index';
import { loadOrCreateAdminToken } from './service/admin-token';
import { startService, type RunningService } from './service/service';
import { readSettings, SettingsError, type Settings } from './service/settings';
import { openDatabase, type Store } from './store/index';
import { startLocalTemporal, type LocalTemporal } from './temporal/local-server';
import { startTracing, type Tracing } from './temporal/tracing';
import { bundleWorkflows } from './temporal/worker';

let settings: Settings;
let declaredApps: { file: string; apps: DeclaredApp[] } | undefined;
try {
  settings = readSettings();
  if (settings.SCIMFLOW_APPS_FILE) {
    const file = resolve(settings.SCIMFLOW_APPS_FILE);
    declaredApps = { file, apps: readAppsFile(file) };
  }
} catch (error) {
  // Nothing is started or written yet: one line for the operator, and exit status 2 (a usage error).
  if (!(error instanceof SettingsError) && !(error instanceof AppsFileError)) throw error;
  process.stderr.write(`scimflow: ${error.message}\n`);
  process.exit(2);
}
const logger = createLogger({ level: settings.LOG_LEVEL });

/** Exits once the log lines written so far are out, in order (pino writes asynchronously). */
function exit(code: number): void {
  logger.flush(() => process.exit(code));
}

let localTemporal: LocalTemporal | undefined;
let store: Store | undefined;
let service: RunningService | undefined;
// Whatever ends the process (a crash included), the dev server it started ends with it.
process.on('exit', () => localTemporal?.killNow());

/** What a stop needs after the worker drained: the API, the database, the dev server. */
const AFTER_DRAIN_MS = 8000;
const shutdownMs = settings.SCIMFLOW_SHUTDOWN_SECONDS * 1000;

let tracing: Tracing | undefined;
let stopping = false;
/**
 * Stops in order, within SCIMFLOW_SHUTDOWN_SECONDS: the worker drains (running activities
 * finish), then the API, the database and last the local dev server, which the worker needed
 * to the end. Exits 0, or 1 when activities had to be abandoned (they resume from their last
 * recorded group when the service is back).
 */
async function shutdown(signal: string): Promise<void> {
  // npm and tsx pass a terminal's Ctrl-C on as well: one stop is under way already.
  if (stopping) return;
  stopping = true;
  logger.info({ signal, withinSeconds: settings.SCIMFLOW_SHUTDOWN_SECONDS }, 'shutting down');
  const force = setTimeout(() => {
    logger.error({ withinSeconds: settings.SCIMFLOW_SHUTDOWN_SECONDS }, 'shutdown took too long; exiting');
    // The exit handler kills the local dev server.
    exit(1);
  }, shutdownMs);
  force.unref();
  let drained = true;
  try {
    drained = (await service?.stop())?.drained ?? true;
    await tracing?.shutdown();
    await store?.close();
    if (localTemporal) {
      await localTemporal.stop();
      logger.info('local Temporal dev server stopped');
    }
  } catch (error) {
    logger.error({ err: { message: error instanceof Error ? error.message : String(error) } }, 'shutdown failed');
    return exit(1);
  } finally {
    clearTimeout(force);
  }
  logger.info('stopped');
  exit(drained ? 0 : 1);
}
// Also during start-up: what has started is stopped.
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });
  // Traces only when a collector is named: without one no OpenTelemetry code is even loaded.
  if (settings.OTEL_EXPORTER_OTLP_ENDPOINT) tracing = await startTracing(settings.OTEL_EXPORTER_OTLP_ENDPOINT);
  // Bundling the workflows takes a few seconds: it runs while the dev server starts.
  const workflowBundle = bundleWorkflows(tracing ? { interceptorModules: tracing.workflowModules } : {});
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
    ...(settings.SCIMFLOW_METRICS_PORT !== undefined && { metricsHttp: { host: settings.HOST, port: settings.SCIMFLOW_METRICS_PORT } }),
    ...(settings.SCIMFLOW_TEMPORAL_METRICS_ADDRESS && { temporalMetricsAddress: settings.SCIMFLOW_TEMPORAL_METRICS_ADDRESS }),
    concurrency: settings.SCIMFLOW_CONCURRENCY,
    logRetentionDays: settings.SCIMFLOW_LOG_RETENTION_DAYS,
    workflowBundle: await workflowBundle,
    ...(tracing && { tracing }),
    drainTimeoutMs: Math.max(1000, shutdownMs - AFTER_DRAIN_MS),
    alerts: {
      ...(settings.SCIMFLOW_ALERT_WEBHOOK_URL &&
        settings.SCIMFLOW_ALERT_WEBHOOK_SECRET && {
          webhook: { url: settings.SCIMFLOW_ALERT_WEBHOOK_URL, secret: settings.SCIMFLOW_ALERT_WEBHOOK_SECRET },
        }),
      ...(settings.SCIMFLOW_SMTP_URL &&
        settings.SCIMFLOW_ALERT_MAIL_FROM &&
        settings.SCIMFLOW_ALERT_MAIL_TO && {
          mail: { url: settings.SCIMFLOW_SMTP_URL, from: settings.SCIMFLOW_ALERT_MAIL_FROM, to: settings.SCIMFLOW_ALERT_MAIL_TO },
        }),
    },
  });

  if (declaredApps) await applyDeclaredApps({ store, jobs: service.jobs, logger }, declaredApps.file, declaredApps.apps);

  const lines = [
    '',
    'scimflow is running',
    `  API          ${service.apiUrl}/api/v1`,
    `  API docs     ${service.apiUrl}/api/v1/docs`,
    `  Metrics      ${service.apiUrl}/metrics (admin token)${service.metricsUrl ? `, ${service.metricsUrl}/metrics (open)` : ''}`,
    `  Temporal UI  ${localTemporal?.uiUrl ?? `(the Temporal cluster at ${temporalAddress})`}`,
    `  Database     ${settings.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded, in ${join(settings.dataDir, 'pglite')}`}`,
    admin.origin === 'env' ? '  Admin token  from SCIMFLOW_ADMIN_TOKEN' : `  Admin token  ${admin.token}   (kept in ${admin.file})`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (error) {
  logger.fatal({ err: { message: error instanceof Error ? error.message : String(error) } }, 'start-up failed');
  exit(1);
}
