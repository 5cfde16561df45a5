/** The provisioning-log entry of a reconcile outcome, the same for cycles, on-demand and lifecycle runs. */
import type { ReconcileOutcome } from '../src/reconcile/index';
import type { ProvisioningLogInput } from '../src/store/index';

/**
 * @param change the entry's app, cycle (null outside one) and change id: stable within a run, so
 *   a retried activity logs the change once
 */
export function logEntryOf(
  o: ReconcileOutcome,
  change: { appId: string; cycleId: string | null; changeId: string },
  startedAt: Date,
  finishedAt: Date,
): ProvisioningLogInput {
  return {
    ...change,
    objectType: o.objectType,
    sourceId: o.sourceId,
    sourceDisplay: o.sourceDisplay ?? null,
    targetId: o.targetId ?? null,
    action: o.action,
    status: o.status,
    reason: o.reason,
    modifiedProperties: o.changes as ProvisioningLogInput['modifiedProperties'],
    steps: o.steps.map(({ name, status, detail }) => ({ name, status, detail })),
    error: o.error ?? null,
    startedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
}
