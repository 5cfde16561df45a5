/** Retention of the store's logs: what a purge run takes and does, and the schedule that starts it. */
export type { LogRetention, PurgeLogsInput, PurgeLogsResult, RetentionActivities } from './contract';
export { cutOff } from './cut-off';
