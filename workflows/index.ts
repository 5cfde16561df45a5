export { appJob } from './app-job';
export { syncCycle } from './sync-cycle';
