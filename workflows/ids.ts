/** Workflow ids, chosen so that an operator finds any run in the Temporal UI by app. */
export const TASK_QUEUE = 'scimflow';

export const appJobId = (appId: string): string => `app/${appId}`;
export const cycleWorkflowId = (appId: string, n: number): string => `app/${appId}/cycle/${n}`;
export const unmatchedScanId = (appId: string): string => `app/${appId}/unmatched-accounts/scan`;
