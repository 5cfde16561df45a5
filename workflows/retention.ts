/**
 * `purgeLogs`: one purge of every retained log, started by the deployment's retention schedule
 * (`scimflow/log-retention`). The cut-off is taken from the workflow's clock when the run
 * starts; the activity deletes in bounded batches and heartbeats, so a retried one goes on
 * where the database stands.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PurgeLogsInput, PurgeLogsResult, RetentionActivities } from '../src/retention/contract';
import { cutOff } from '../src/retention/cut-off';

const { purgeLog } = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '10 minutes', maximumAttempts: 10 },
});

export async function purgeLogs(input: PurgeLogsInput): Promise<PurgeLogsResult> {
  const now = new Date();
  const logs: PurgeLogsResult['logs'] = [];
  for (const { log, days } of input.logs) {
    const before = cutOff(now, days);
    const { deleted } = await purgeLog({ log, before });
    logs.push({ log, before, deleted });
  }
  return { logs };
}
