/** Starting an app's unmatched-accounts scan through the Temporal client: one at a time per app (its workflow id). */
import { WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { TASK_QUEUE, unmatchedScanId } from '../workflows/ids';
import { APP_ID } from '../workflows/search-attributes';
import { scanUnmatchedAccounts } from '../workflows/unmatched-accounts';

export interface DiscoveryControl {
  /** Starts a scan unless one runs; answers the running scan's ids either way. */
  scan(appId: string): Promise<{ workflowId: string; runId: string }>;
}

export function createDiscoveryControl(client: Client, taskQueue: string = TASK_QUEUE): DiscoveryControl {
  return {
    async scan(appId) {
      const workflowId = unmatchedScanId(appId);
      const handle = await client.workflow.start(scanUnmatchedAccounts, {
        workflowId,
        taskQueue,
        args: [{ appId }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        typedSearchAttributes: [{ key: APP_ID, value: appId }],
      });
      return { workflowId, runId: handle.firstExecutionRunId };
    },
  };
}
