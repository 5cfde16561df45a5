/**
 * Control of the apps' job workflows through the Temporal client: start, signal, query and
 * on-demand updates. The API and the service's start-up use it; inputs carry ids only.
 */
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { OnDemandResult, PreviewResult } from '../src/sync/contract';
import type { JobStatus } from '../workflows/app-job-state';
import {
  allowDeletesSignal,
  pauseSignal,
  quarantineSignal,
  previewUpdate,
  progressQuery,
  provisionOnDemandUpdate,
  restartSignal,
  resumeSignal,
  runNowSignal,
  setIntervalSignal,
  statusQuery,
  stopSignal,
  type CycleProgress,
  type RestartScope,
} from '../workflows/definitions';
import { appJob } from '../workflows/app-job';
import { appJobId, TASK_QUEUE } from '../workflows/ids';
import { APP_ID } from '../workflows/search-attributes';

export interface JobView extends JobStatus {
  currentCycle: CycleProgress | null;
}

export interface JobControl {
  /** Starts the app's job workflow unless it already runs. */
  ensure(appId: string, intervalMinutes: number): Promise<void>;
  pause(appId: string): Promise<void>;
  resume(appId: string): Promise<void>;
  runNow(appId: string): Promise<void>;
  allowDeletes(appId: string): Promise<void>;
  /** Quarantines the job at an admin's request: its running cycle stops, and none runs until a resume or restart. */
  quarantine(appId: string): Promise<void>;
  /** Lifts the quarantine and/or releases held-back deletions (per scope) and runs a cycle now. */
  restart(appId: string, scopes: RestartScope[]): Promise<void>;
  setInterval(appId: string, minutes: number): Promise<void>;
  stop(appId: string): Promise<void>;
  /** The job's status with the running cycle's progress; undefined when no job runs. */
  status(appId: string): Promise<JobView | undefined>;
  /** The job's state alone (one query); undefined when no job runs. */
  state(appId: string): Promise<JobStatus['state'] | undefined>;
  provisionOnDemand(appId: string, objectId: string): Promise<OnDemandResult>;
  preview(appId: string, objectId: string): Promise<PreviewResult>;
}

/**
 * How many updates one process sends to one app's job at once. Temporal admits at most 10
 * in-flight updates per workflow (`history.maxInFlightUpdates`) and refuses more with
 * RESOURCE_EXHAUSTED, which the client then retries with growing gaps: a burst of on-demand
 * requests waits its turn here instead, in the order it came.
 */
export const UPDATES_AT_ONCE = 8;

/** A first-come queue of at most `limit` tasks at once per key. */
export function perKeyLimit(limit: number) {
  const queues = new Map<string, { running: number; waiting: (() => void)[] }>();
  return async function run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let queue = queues.get(key);
    if (!queue) queues.set(key, (queue = { running: 0, waiting: [] }));
    if (queue.running >= limit) await new Promise<void>((turn) => queue.waiting.push(turn));
    else queue.running += 1;
    try {
      return await task();
    } finally {
      const next = queue.waiting.shift();
      if (next) next();
      else if ((queue.running -= 1) === 0) queues.delete(key);
    }
  };
}

/**
 * Whether an update failed only because the job's run ended (it continues as new after every
 * cycle) after the update was accepted and before its handler finished: the work is idempotent,
 * and the same update sent again reaches the new run.
 */
function endedUnderTheUpdate(error: unknown): boolean {
  return (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === 'AcceptedUpdateCompletedWorkflow'
  );
}

export function createJobControl(client: Client, taskQueue: string = TASK_QUEUE): JobControl {
  const handle = (appId: string) => client.workflow.getHandle(appJobId(appId));
  const oneAtATurn = perKeyLimit(UPDATES_AT_ONCE);
  const update = <T>(appId: string, send: () => Promise<T>): Promise<T> =>
    oneAtATurn(appId, async () => {
      try {
        return await send();
      } catch (error) {
        if (!endedUnderTheUpdate(error)) throw error;
        return send();
      }
    });

  return {
    async ensure(appId, intervalMinutes) {
      await client.workflow.start(appJob, {
        workflowId: appJobId(appId),
        taskQueue,
        args: [{ appId, intervalMinutes }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [{ key: APP_ID, value: appId }],
      });
    },
    pause: (appId) => handle(appId).signal(pauseSignal),
    resume: (appId) => handle(appId).signal(resumeSignal),
    runNow: (appId) => handle(appId).signal(runNowSignal),
    allowDeletes: (appId) => handle(appId).signal(allowDeletesSignal),
    restart: (appId, scopes) => handle(appId).signal(restartSignal, { scopes }),
    quarantine: (appId) =>
      handle(appId).signal(quarantineSignal, { detail: 'quarantined by an admin; resume or restart the job to lift it' }),
    setInterval: (appId, minutes) => handle(appId).signal(setIntervalSignal, minutes),
    async stop(appId) {
      try {
        await handle(appId).signal(stopSignal);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    },
    async status(appId) {
      let status: JobStatus;
      try {
        status = await handle(appId).query(statusQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
      let currentCycle: CycleProgress | null = null;
      if (status.currentCycleWorkflowId) {
        try {
          currentCycle = await client.workflow.getHandle(status.currentCycleWorkflowId).query(progressQuery);
        } catch (error) {
          // The cycle finished between the two queries.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return { ...status, currentCycle };
    },
    async state(appId) {
      try {
        return (await handle(appId).query(statusQuery)).state;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
    },
    provisionOnDemand: (appId, objectId) =>
      update(appId, () => handle(appId).executeUpdate(provisionOnDemandUpdate, { args: [{ objectId }] })),
    preview: (appId, objectId) => update(appId, () => handle(appId).executeUpdate(previewUpdate, { args: [{ objectId }] })),
  };
}
