/**
 * The deployment's retention schedule: a Temporal Schedule (`{taskQueue}/log-retention`, in the
 * Temporal UI under Schedules) that starts a `purgeLogs` run every hour. Created at service
 * start, or brought up to date when it exists (a changed SCIMFLOW_LOG_RETENTION_DAYS applies to
 * the next run).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { LogRetention } from '../retention/index';
import { purgeLogs } from '../../workflows/retention';

/** How often a purge runs. */
export const PURGE_EVERY = '1 hour';

export function retentionScheduleId(taskQueue: string): string {
  return `${taskQueue}/log-retention`;
}

/**
 * Creates the retention schedule, or updates it to these logs and days.
 *
 * @returns the schedule's id
 * @example
 * await ensureRetentionSchedule(client, 'scimflow', [{ log: 'provisioning-log', days: 30 }]);
 */
export async function ensureRetentionSchedule(client: Client, taskQueue: string, logs: LogRetention[]): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  const action: ScheduleOptionsStartWorkflowAction<typeof purgeLogs> = {
    type: 'startWorkflow',
    workflowType: purgeLogs,
    workflowId: `${scheduleId}/purge`,
    taskQueue,
    args: [{ logs }],
  };
  const spec = { intervals: [{ every: PURGE_EVERY }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } as const;
  try {
    await client.schedule.create({ scheduleId, action, spec, policies });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update<typeof purgeLogs>((previous) => ({ ...previous, action, spec, policies }));
  }
  return scheduleId;
}
