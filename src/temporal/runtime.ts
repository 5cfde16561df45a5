/**
 * Routes the Temporal SDK's own logs (worker, workflows, activities) into scimflow's logger,
 * without task tokens, so one log stream serves the whole service.
 */
import { Runtime, type Logger as TemporalLogger, type LogLevel, type LogMetadata } from '@temporalio/worker';
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

let installed = false;

/** Installs the Temporal runtime with scimflow's logger; later calls in the same process do nothing. */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: adapter(logger.child({ component: 'temporal' })) });
  } catch {
    // The runtime was created already (another part of this process used Temporal first).
  }
}
