/**
 * The deployment's alert schedule: a Temporal Schedule (`{taskQueue}/alerts`) that starts an
 * `alertChecks` run every minute: the "no successful cycle" rule, and every retry of an alert
 * delivery that failed (the outbox is in the store, so none is lost across a restart).
 */
import type { Client } from '@temporalio/client';
import { alertChecks } from '../../workflows/alerts';
import { ensureSchedule } from './schedules';

export const ALERT_CHECKS_EVERY = '1 minute';

export function alertScheduleId(taskQueue: string): string {
  return `${taskQueue}/alerts`;
}

/** Creates the alert schedule, or brings it up to date; resolves with its id. */
export function ensureAlertSchedule(client: Client, taskQueue: string): Promise<string> {
  const scheduleId = alertScheduleId(taskQueue);
  return ensureSchedule(client, {
    scheduleId,
    workflowId: `${scheduleId}/checks`,
    workflowType: alertChecks,
    taskQueue,
    args: [],
    every: ALERT_CHECKS_EVERY,
  });
}
