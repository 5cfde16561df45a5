/**
 * `scanUnmatchedAccounts` (`app/{appId}/unmatched-accounts/scan`, one at a time per app): one
 * scan of an app's target for accounts that match no source object. The activity reads the
 * directory and lists the target within the app's rate budget, heartbeating its counts; a retry
 * starts it over. A scan that fails for good is recorded as failed, with its error.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { DiscoveryActivities, ScanCounts } from '../src/discovery/contract';
import { errorInfoOf } from './failures';

const { scanForUnmatched, recordScanFailure } = proxyActivities<DiscoveryActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumInterval: '5 minutes', maximumAttempts: 5 },
});

export async function scanUnmatchedAccounts(input: { appId: string }): Promise<ScanCounts> {
  const scan = { appId: input.appId, scanId: workflowInfo().runId };
  try {
    return await scanForUnmatched(scan);
  } catch (cause) {
    await recordScanFailure({ ...scan, error: errorInfoOf(cause) });
    throw cause;
  }
}
