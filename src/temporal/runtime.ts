/**
 * Routes the Temporal SDK's own logs (worker, workflows, activities, and its native core) into
 * scimflow's logger, without task tokens, so one log stream serves the whole service. The
 * native client's warning on every retried poll while the server is away is left out: the
 * health monitor says once that Temporal is away, and once that it is back.
 */
import {
  GracefulShutdownPeriodExpiredError,
  Runtime,
  type Logger as TemporalLogger,
  type LogLevel,
  type LogMetadata,
} from '@temporalio/worker';
import type { Logger } from '../log/index';

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

function adapter(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) => {
    const { taskToken: _token, ...rest } = (meta ?? {}) as Record<string, unknown>;
    // A drain that ran out of time is reported by the service's stop, with what it means.
    if (rest.error instanceof GracefulShutdownPeriodExpiredError) return;
    // Errors show their name and message (as plain objects they would log as {}).
    for (const [key, value] of Object.entries(rest)) {
      if (value instanceof Error) rest[key] = { name: value.name, message: value.message };
    }
    logger[LEVELS[level]]({ temporal: rest }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** Warnings of the native worker core, errors only of its gRPC client (whose retries warn on every poll) and of everything else. */
const NATIVE_LOG_FILTER = 'ERROR,temporalio_sdk_core=WARN,temporalio_common=WARN,temporalio_client=ERROR';

let installed = false;

/**
 * Installs the Temporal runtime with scimflow's logger; later calls in the same process do nothing.
 * With `metricsAddress` (host:port) the SDK's own worker metrics (`temporal_…`: task slots, poll
 * and schedule latencies, sticky cache) are served for Prometheus at `http://metricsAddress/metrics`,
 * named by Prometheus' conventions (`_total` counters, durations in seconds with their unit).
 */
export function installTemporalRuntime(logger: Logger, options: { metricsAddress?: string } = {}): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({
      logger: adapter(logger.child({ component: 'temporal' })),
      telemetryOptions: {
        logging: { filter: NATIVE_LOG_FILTER, forward: {} },
        ...(options.metricsAddress && {
          metrics: {
            prometheus: { bindAddress: options.metricsAddress, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
          },
        }),
      },
    });
  } catch {
    // The runtime was created already (another part of this process used Temporal first).
  }
}
