/**
 * `alertChecks`: one run of the deployment's alert schedule (`scimflow/alerts`, every minute):
 * the apps without a successful cycle for too long alert, then the outbox's due deliveries go
 * out (the first attempt of an alert is made when it is raised; this is every retry).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AlertActivities, AlertChecksResult } from '../src/alerts/contract';

const { checkCycleCadence, deliverAlerts } = proxyActivities<AlertActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

export async function alertChecks(): Promise<AlertChecksResult> {
  const { overdue } = await checkCycleCadence();
  const { delivered, failed } = await deliverAlerts();
  return { overdue, delivered, failed };
}
