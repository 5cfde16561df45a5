/** The account-discovery activities: the scan, with its counts as the heartbeat, and its failure recorded. */
import type { DiscoveryActivities } from '../src/discovery/contract';
import { failScan, scanUnmatched } from '../src/discovery/index';
import type { SyncEnv } from '../src/sync/index';
import { failing, withProgress } from './temporal';

export function discoveryActivities(env: SyncEnv): DiscoveryActivities {
  return {
    scanForUnmatched: (input) => failing(() => withProgress((progress) => scanUnmatched(env, input, progress))),
    recordScanFailure: (input) => failing(() => failScan(env, input)),
  };
}
