/**
 * The scimflow worker: runs the workflows (bundled from `workflows/`) and the activities given.
 */
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions as TemporalWorkerOptions,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from './data-converter';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

/**
 * Bundles the workflow code once; a bundle can be shared by several workers (tests, restarts).
 * It holds scimflow's failure converter, so workflow failures are encrypted like the rest.
 */
export async function bundleWorkflows(options: { interceptorModules?: string[] } = {}): Promise<WorkflowBundleOption> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    failureConverterPath: FAILURE_CONVERTER_PATH,
    ...(options.interceptorModules && { workflowInterceptorModules: options.interceptorModules }),
  });
  return { code };
}

const quietBundlerLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

export interface WorkerOptions {
  address: string;
  namespace: string;
  taskQueue: string;
  activities: object;
  /** How payloads and failures are encoded: encryptingDataConverter(keys). */
  dataConverter: DataConverter;
  workflowBundle?: WorkflowBundleOption;
  /** Source pages reconciled at the same time by this worker. */
  maxConcurrentActivities?: number;
  /**
   * How long a shutdown waits for running activities to finish (default 20 s). After that the
   * worker gives up on them: their attempts time out on the server and are retried from their
   * last heartbeat (the last recorded group) by the next worker.
   */
  drainTimeoutMs?: number;
  /** Activity interceptors and sinks (tracing); the workflow interceptors come with the bundle. */
  interceptors?: TemporalWorkerOptions['interceptors'];
  sinks?: TemporalWorkerOptions['sinks'];
}

export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const drainTimeoutMs = options.drainTimeoutMs ?? 20_000;
  const connection = await NativeConnection.connect({ address: options.address });
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: options.activities,
    dataConverter: options.dataConverter,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 20,
    ...(options.interceptors && { interceptors: options.interceptors }),
    ...(options.sinks && { sinks: options.sinks }),
    // Heartbeats carry a cycle's cancellation to its activity: every 3 s at most, so pausing or
    // deleting an app stops its traffic within seconds (the default waits up to 16 s).
    maxHeartbeatThrottleInterval: '3 seconds',
    // Activities do not stop when told to (they finish their group of objects), so the grace
    // time is the drain time, and the force time ends a drain that took too long.
    shutdownGraceTime: drainTimeoutMs,
    shutdownForceTime: drainTimeoutMs + 1000,
  });
  return { worker, connection };
}
