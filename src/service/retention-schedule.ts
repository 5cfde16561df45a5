/**
 * The deployment's retention schedule: a Temporal Schedule (`{taskQueue}/log-retention`, in the
 * Temporal UI under Schedules) that starts a `purgeLogs` run every hour. Created at service
 * start, or brought up to date when it exists (a changed SCIMFLOW_LOG_RETENTION_DAYS applies to
 * the next run).
 */
import type { Client } from '@temporalio/client';
import type { LogRetention } from '../retention/index';
import { purgeLogs } from '../../workflows/retention';
import { ensureSchedule } from './schedules';

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
export function ensureRetentionSchedule(client: Client, taskQueue: string, logs: LogRetention[]): Promise<string> {
  const scheduleId = retentionScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    workflowId: `${scheduleId}/purge`,
    workflowType: purgeLogs,
    taskQueue,
    args: [{ logs }],
    every: PURGE_EVERY,
  });
}
