/**
 * `npm start`: the whole service in one process. Without TEMPORAL_ADDRESS it runs a local
 * Temporal dev server (with its Web UI) whose state is kept in the data dir; without
 * DATABASE_URL an embedded PostgreSQL (PGlite) in the data dir.
 *
 * `npm start -- api` and `npm start -- worker` (or SCIMFLOW_ROLE) run one part only: any
 * number of each, against one Temporal cluster and one PostgreSQL.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { applyDeclaredApps } from './config/apply';
import { AppsFileError, readAppsFile, type DeclaredApp } from './config/apps-file';
import { createLogger } from './log/index';
import { loadOrCreateAdminToken } from './service/admin-token';
import { startService, type RunningService } from './service/service';
import { readSettings, SettingsError, type Settings } from './service/settings';
import { loadOrCreateSecretKey, openDatabase, type Store } from './store/index';
import { startLocalTemporal, type LocalTemporal } from './temporal/local-server';
import { loadOrCreatePayloadKeys } from './temporal/payload-keys';
import { startTracing, type Tracing } from './temporal/tracing';
import { bundleWorkflows } from './temporal/worker';

let settings: Settings;
let declaredApps: { file: string; apps: DeclaredApp[] } | undefined;
try {
  // A role named on the command line wins over SCIMFLOW_ROLE.
  const role = process.argv[2];
  settings = readSettings(role === undefined ? process.env : { ...process.env, SCIMFLOW_ROLE: role });
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

  // The API's own address, when it is known before it listens (not with PORT=0).
  const apiRoot =
    settings.PORT === 0 ? undefined : `http://${['0.0.0.0', '::'].includes(settings.HOST) ? '127.0.0.1' : settings.HOST}:${settings.PORT}`;
  let temporalAddress = settings.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    logger.info({ port: settings.TEMPORAL_PORT, uiPort: settings.TEMPORAL_UI_PORT }, 'starting a local Temporal dev server');
    localTemporal = await startLocalTemporal({
      dataDir: settings.dataDir,
      port: settings.TEMPORAL_PORT,
      uiPort: settings.TEMPORAL_UI_PORT,
      // Its UI decodes the encrypted histories through the API (once the browser signed in there).
      ...(apiRoot && { uiCodecEndpoint: `${apiRoot}/codec` }),
      logger,
      onExit: (reason) => service?.health.markAway('temporal', reason),
    });
    temporalAddress = localTemporal.address;
  }

  const secretKey = await loadOrCreateSecretKey(settings.dataDir);
  store = await openDatabase({
    dataDir: settings.dataDir,
    secretKey,
    ...(settings.DATABASE_URL && {
      url: settings.DATABASE_URL,
      // The pool re-opens it for the next query; the health monitor says when the server is away.
      onConnectionError: (error: Error) => logger.debug({ err: { message: error.message } }, 'a database connection broke'),
    }),
  });
  const servesApi = settings.SCIMFLOW_ROLE !== 'worker';
  // A worker alone needs no token: it serves no API.
  const admin = servesApi ? await loadOrCreateAdminToken(settings.dataDir, settings.SCIMFLOW_ADMIN_TOKEN) : undefined;
  const payloadKeys = await loadOrCreatePayloadKeys(settings.dataDir);

  service = await startService({
    store,
    logger,
    temporalAddress,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    adminToken: admin?.token ?? '',
    payloadKeys,
    secretKey,
    codecCorsOrigins: settings.SCIMFLOW_CODEC_CORS_ORIGINS ?? [
      `http://127.0.0.1:${settings.TEMPORAL_UI_PORT}`,
      `http://localhost:${settings.TEMPORAL_UI_PORT}`,
    ],
    ...(servesApi && { http: { host: settings.HOST, port: settings.PORT } }),
    worker: settings.SCIMFLOW_ROLE !== 'api',
    ...(settings.SCIMFLOW_METRICS_PORT !== undefined && { metricsHttp: { host: settings.HOST, port: settings.SCIMFLOW_METRICS_PORT } }),
    ...(settings.SCIMFLOW_TEMPORAL_METRICS_ADDRESS && { temporalMetricsAddress: settings.SCIMFLOW_TEMPORAL_METRICS_ADDRESS }),
    concurrency: settings.SCIMFLOW_CONCURRENCY,
    logRetentionDays: settings.SCIMFLOW_LOG_RETENTION_DAYS,
    auditRetentionDays: settings.SCIMFLOW_AUDIT_RETENTION_DAYS,
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

  if (declaredApps && servesApi) await applyDeclaredApps({ store, jobs: service.jobs, logger }, declaredApps.file, declaredApps.apps);

  const lines = admin
    ? apiBanner(admin, temporalAddress)
    : [
        '',
        'scimflow worker is running',
        `  Task queue   ${settings.TEMPORAL_TASK_QUEUE} on the Temporal cluster at ${temporalAddress}`,
        ...(service.metricsUrl ? [`  Metrics      ${service.metricsUrl}/metrics (open)`] : []),
        '',
      ];
  process.stdout.write(lines.join('\n') + '\n');
} catch (error) {
  logger.fatal({ err: { message: error instanceof Error ? error.message : String(error) } }, 'start-up failed');
  exit(1);
}

function apiBanner(admin: { token: string; origin: string; file?: string }, temporalAddress: string): string[] {
  const running = service!;
  return [
    '',
    settings.SCIMFLOW_ROLE === 'api' ? 'scimflow API is running (its workers run apart)' : 'scimflow is running',
    `  API          ${running.apiUrl}/api/v1`,
    `  API docs     ${running.apiUrl}/api/v1/docs`,
    `  Metrics      ${running.apiUrl}/metrics (admin token)${running.metricsUrl ? `, ${running.metricsUrl}/metrics (open)` : ''}`,
    `  Temporal UI  ${localTemporal?.uiUrl ?? `(the Temporal cluster at ${temporalAddress})`}`,
    `  Codec        ${running.apiUrl}/codec (sign a browser in at ${running.apiUrl}/codec/sign-in to read histories in the Temporal UI)`,
    `  Database     ${settings.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `embedded, in ${join(settings.dataDir, 'pglite')}`}`,
    admin.origin === 'env' ? '  Admin token  from SCIMFLOW_ADMIN_TOKEN' : `  Admin token  ${admin.token}   (kept in ${admin.file})`,
    '',
  ];
}
