/**
 * The deployment's Temporal Schedules (in the Temporal UI under Schedules): each created at
 * service start, or brought up to date when it exists. A run still going when the next is due
 * makes that one skip.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Creates the schedule `scheduleId`, starting `workflowType` with `args` every `every` (each
 * run under `workflowId` and the time it starts), or updates it to them.
 *
 * @example
 * await ensureSchedule(client, { scheduleId: 'scimflow/alerts', workflowId: 'scimflow/alerts/run', workflowType: alertChecks, taskQueue: 'scimflow', args: [], every: '1 minute' });
 */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  options: { scheduleId: string; workflowId: string; workflowType: W; taskQueue: string; args: Parameters<W>; every: string },
): Promise<string> {
  const { scheduleId } = options;
  const action = {
    type: 'startWorkflow',
    workflowType: options.workflowType,
    workflowId: options.workflowId,
    taskQueue: options.taskQueue,
    args: options.args,
  } as ScheduleOptionsStartWorkflowAction<W>;
  const spec = { intervals: [{ every: options.every }] };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.every } as const;
  try {
    await client.schedule.create({ scheduleId, action, spec, policies });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update<W>((previous) => ({ ...previous, action, spec, policies }));
  }
  return scheduleId;
}
