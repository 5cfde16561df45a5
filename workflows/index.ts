export { appJob } from './app-job';
export { syncCycle } from './sync-cycle';
export { joiner, leaver, mover, pendingEvents, rehire } from './lifecycle/index';
export { purgeLogs } from './retention';
export { alertChecks } from './alerts';
export { scanUnmatchedAccounts } from './unmatched-accounts';
