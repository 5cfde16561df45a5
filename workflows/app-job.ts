/**
 * The long-running job of one provisioned app (`app/{appId}`): owns the cadence and the
 * active/paused state, runs each cycle as a child workflow, serves on-demand provisioning
 * through an update, and continues-as-new after every cycle.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  CancellationScope,
  isCancellation,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ScimflowActivities } from '../src/sync/contract';
import type { CycleSummary } from '../src/sync/contract';
import { AppJob, cycleThatFailed, initialSnapshot, type JobSnapshot } from './app-job-state';
import { errorInfoOf } from './failures';
import {
  allowDeletesSignal,
  pauseSignal,
  quarantineSignal,
  previewUpdate,
  provisionOnDemandUpdate,
  restartSignal,
  resumeSignal,
  runNowSignal,
  setIntervalSignal,
  statusQuery,
  stopSignal,
} from './definitions';
import { cycleWorkflowId } from './ids';
import { APP_ID, searchable } from './search-attributes';
import { syncCycle } from './sync-cycle';

const { provisionOnDemand, previewObject } = proxyActivities<ScimflowActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', maximumAttempts: 3 },
});

const { lastCycleNumber } = proxyActivities<ScimflowActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export interface AppJobInput {
  appId: string;
  intervalMinutes: number;
  /** Carried over by continue-as-new. */
  snapshot?: JobSnapshot;
}

/**
 * Versioned changes of this workflow (see README, "Changing a workflow"). Jobs that ran before
 * let a paused or deleted app's cycle run to its end.
 */
export const PATCHES = { stopsCycle: 'pause-and-stop-cancel-the-running-cycle' } as const;

export async function appJob(input: AppJobInput): Promise<void> {
  const job = new AppJob(input.snapshot ?? initialSnapshot(input.appId, input.intervalMinutes));
  const stopsCycle = patched(PATCHES.stopsCycle);
  /** The running cycle's scope: pausing, quarantining or stopping the job cancels it, which stops its traffic. */
  let running: CancellationScope | undefined;
  const stopCycle = () => {
    if (stopsCycle) running?.cancel();
  };

  setHandler(pauseSignal, () => {
    job.pause();
    stopCycle();
  });
  setHandler(quarantineSignal, ({ detail }) => {
    job.quarantineByAdmin(detail, Date.now());
    stopCycle();
  });
  setHandler(resumeSignal, () => job.resume());
  setHandler(runNowSignal, () => job.requestRun());
  setHandler(allowDeletesSignal, () => job.allowDeletes());
  setHandler(stopSignal, () => {
    job.stop();
    stopCycle();
  });
  setHandler(restartSignal, ({ scopes }) => job.restart(scopes, Date.now()));
  setHandler(setIntervalSignal, (minutes) => job.setInterval(minutes, Date.now()));
  setHandler(statusQuery, () => job.status());
  const validator = (request: { objectId?: unknown }) => {
    if (typeof request?.objectId !== 'string' || request.objectId.length === 0) throw new Error('objectId is required');
  };
  setHandler(provisionOnDemandUpdate, (request) => provisionOnDemand({ appId: input.appId, objectId: request.objectId }), { validator });
  setHandler(previewUpdate, (request) => previewObject({ appId: input.appId, objectId: request.objectId }), { validator });

  // A new job for an app that may have run before (e.g. on a new Temporal cluster) keeps counting its cycles.
  if (!input.snapshot) job.continueNumberingFrom(await lastCycleNumber({ appId: input.appId }));

  for (;;) {
    await condition(() => job.stopRequested || job.isDue(Date.now()) || workflowInfo().continueAsNewSuggested, job.msUntilDue(Date.now()));
    if (job.stopRequested) break;
    if (job.isDue(Date.now())) {
      const quarantined = job.quarantineSeries();
      const { n, forceDeletes } = job.startCycle((k) => cycleWorkflowId(input.appId, k));
      let summary: CycleSummary;
      try {
        running = new CancellationScope();
        summary = await running.run(() =>
          executeChild(syncCycle, {
            workflowId: cycleWorkflowId(input.appId, n),
            args: [{ appId: input.appId, n, forceDeletes, ...(quarantined && { quarantined }) }],
            parentClosePolicy: ParentClosePolicy.TERMINATE,
            ...(searchable() && { typedSearchAttributes: [{ key: APP_ID, value: input.appId }] }),
          }),
        );
      } catch (cause) {
        // A cycle that was stopped quarantines nothing; one that could not even begin or end (the
        // store refusing) quarantines the job. Either way the job goes on.
        summary = cycleThatFailed(`${input.appId}:${n}`, errorInfoOf(cause).message, Date.now(), isCancellation(cause));
      } finally {
        running = undefined;
      }
      job.cycleFinished(summary, Date.now());
    }
    if (job.stopRequested) break;
    await condition(allHandlersFinished);
    await continueAsNew<typeof appJob>({
      appId: input.appId,
      intervalMinutes: job.toSnapshot().intervalMinutes,
      snapshot: job.toSnapshot(),
    });
  }
  await condition(allHandlersFinished);
}
