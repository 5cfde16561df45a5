/**
 * The contract between the unmatched-accounts scan workflow and its activities: types only,
 * imported by `workflows/` and `activities/` alike. It crosses the workflow history: ids,
 * counts and an error's code and message, never an account's attributes.
 */
import type { ErrorInfo } from '../errors/index';
import type { ScanCounts } from '../store/unmatched-accounts';

export interface ScanInput {
  appId: string;
  /** The scan's id (its workflow run): the store keeps the accounts of the app's last scan. */
  scanId: string;
}

export type { ScanCounts };

export interface DiscoveryActivities {
  /** Scans the app's target, records what matches no source object and returns the counts. */
  scanForUnmatched(input: ScanInput): Promise<ScanCounts>;
  /** Records that the scan failed for good. */
  recordScanFailure(input: ScanInput & { error: ErrorInfo }): Promise<void>;
}
