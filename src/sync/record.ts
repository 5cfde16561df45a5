/**
 * The one record path. Whatever reconciled an object (a cycle's round, an escrow retry, an
 * assignment change, on-demand provisioning, a lifecycle run, a membership change), its outcomes
 * are recorded here, in one order:
 *
 * 1. the provisioning-log entries, in one statement (a change already logged is left as it is,
 *    so a retry logs each change once);
 * 2. the anchors the reconciles held back, in one statement, each with why its object is in
 *    scope (the scope decision the reconcile was given); two source objects that resolved to
 *    one target account conflict, and the later one is logged as failed instead of linked;
 * 3. what the outcomes commit besides (the members a group holds now);
 * 4. escrow: an object any of whose outcomes failed (or was held back by the deprovisioning
 *    guard) is kept for a retry on a later cycle; an object reconciled without failure leaves it.
 *
 * A crash between two steps leaves a logged change without its anchor, which the retry matches
 * and links, never an anchor without its log entry. The caller reports an object done only once
 * all four steps are through, so a retry after a crash in between does the object again.
 */
import { randomUUID } from 'node:crypto';
import type { ReconcileOutcome, ScopeReason } from '../reconcile/index';
import type { ObjectType } from '../source/index';
import type { ProvisioningLogInput } from '../store/index';
import type { AnchorBatch } from './app-context';
import { recordAppError } from './app-errors';
import type { SyncEnv } from './env';

/** Who recorded outcomes: a part of a cycle, or a request outside one. */
export interface Run {
  /** The cycle the work belongs to; null outside one (on demand, lifecycle runs). */
  cycleId: string | null;
  /** The part of the cycle or the kind of request: `sync`, `escrow`, `scope`, `roles`, `references-0`, `on-demand`, `disable`, ... */
  phase: string;
  /** Names a request outside a cycle (an activity, a lifecycle run's try), so its retry logs once; random when absent. */
  request?: string;
}

/** One outcome to record. */
export interface Recorded {
  outcome: ReconcileOutcome;
  startedAt: Date;
  finishedAt: Date;
  /**
   * Set for an outcome of a step after the object's own reconcile (a membership change of a
   * group): its own change id, and it does not take the object out of escrow.
   */
  step?: string;
  /** Why the object is in scope (or not), kept with the anchor the outcome writes. */
  scope?: ScopeReason;
  /** What the outcome changes besides its anchor, written after the log entry (the group's members). */
  commit?: () => Promise<void>;
}

/**
 * The id of one change: stable within a cycle (and within a named request), so the retry of an
 * activity logs the change once.
 *
 * @example changeId('app1', { cycleId: 'app1:7', phase: 'sync' }, 'user', 'u1') // 'app1:7:sync:user:u1'
 */
export function changeId(appId: string, run: Run, objectType: ObjectType, sourceId: string, step?: string): string {
  const scope = run.cycleId ?? `${appId}:${run.request ?? randomUUID()}`;
  return [scope, run.phase, objectType, sourceId, ...(step === undefined ? [] : [step])].join(':');
}

/** The provisioning-log entry of an outcome. */
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

/** Whether an outcome keeps its object in escrow: a failure, or a deprovisioning the guard held back. */
export function escrowed(outcome: ReconcileOutcome): boolean {
  return outcome.error !== undefined && (outcome.status === 'Failure' || outcome.action === 'StagedDelete');
}

/** The outcome of an object whose anchor conflicted with another object's: not linked, failed. */
function notLinked(outcome: ReconcileOutcome, message: string): ReconcileOutcome {
  const error = { kind: 'permanent' as const, code: 'DuplicateSourceEntries' as const, message };
  return {
    ...outcome,
    action: 'Other',
    status: 'Failure',
    reason: message,
    changes: [],
    error,
    steps: [...outcome.steps, { name: 'export', status: 'Failure', detail: message }],
  };
}

/** Appends log entries and counts the new ones in the metrics: a change logged before (a retry) counts once, as it is logged once. */
async function countNew(env: SyncEnv, entries: ProvisioningLogInput[]): Promise<void> {
  const added = await env.store.provisioningLog.appendNew(entries);
  if (!env.metrics) return;
  for (const e of entries) {
    if (!added.has(e.changeId)) continue;
    env.metrics.objectsProcessed.inc({ app: e.appId, object_kind: e.objectType, action: e.action, status: e.status });
  }
}

/**
 * Records outcomes of one app in the one order (see the top of this file). `batch` holds the
 * anchors the reconciles wrote; without one (a membership change, a preview) none are written.
 *
 * @returns every outcome as recorded: an anchor conflict turns an outcome into a failure
 */
export async function recordOutcomes(
  env: SyncEnv,
  appId: string,
  run: Run,
  records: readonly Recorded[],
  batch?: AnchorBatch,
): Promise<ReconcileOutcome[]> {
  if (records.length === 0) return [];
  const { store } = env;
  const entry = (r: Recorded, outcome = r.outcome, step = r.step, finishedAt = r.finishedAt) =>
    logEntryOf(
      outcome,
      { appId, cycleId: run.cycleId, changeId: changeId(appId, run, outcome.objectType, outcome.sourceId, step) },
      r.startedAt,
      finishedAt,
    );
  const counted = (entries: ProvisioningLogInput[]) => countNew(env, entries);
  await counted(records.map((r) => entry(r)));

  const outcomes = records.map((r) => r.outcome);
  if (batch) {
    const own = records.filter((r) => r.step === undefined);
    const reasons = new Map(own.flatMap((r) => (r.scope ? [[r.outcome.sourceId, r.scope] as const] : [])));
    const conflicts = await batch.flush([...new Set(own.map((r) => r.outcome.sourceId))], reasons);
    if (conflicts.length > 0) {
      const failures = new Map(conflicts.map((c) => [c.sourceId, c.error.message]));
      const failed: ReconcileOutcome[] = [];
      const relogged: ProvisioningLogInput[] = [];
      records.forEach((r, i) => {
        const message = r.step === undefined ? failures.get(r.outcome.sourceId) : undefined;
        if (message === undefined) return;
        outcomes[i] = notLinked(r.outcome, message);
        failed.push(outcomes[i]);
        relogged.push(entry(r, outcomes[i], 'link', env.now()));
      });
      await counted(relogged);
    }
  }

  for (const r of records) await r.commit?.();

  // Per object: kept while any of its outcomes failed, released once reconciled without failure.
  const objects = new Map<string, { objectType: ObjectType; sourceId: string; failure?: ReconcileOutcome; reconciled: boolean }>();
  outcomes.forEach((outcome, i) => {
    const key = `${outcome.objectType}:${outcome.sourceId}`;
    const object = objects.get(key) ?? { objectType: outcome.objectType, sourceId: outcome.sourceId, reconciled: false };
    if (escrowed(outcome)) object.failure ??= outcome;
    if (records[i]!.step === undefined) object.reconciled = true;
    objects.set(key, object);
  });
  const released: Record<ObjectType, string[]> = { user: [], group: [] };
  for (const object of objects.values()) {
    if (object.failure) await store.escrow.record(appId, object.objectType, object.sourceId, object.failure.error!, env.now());
    else if (object.reconciled) released[object.objectType].push(object.sourceId);
  }
  for (const objectType of ['user', 'group'] as const) {
    if (released[objectType].length > 0) await store.escrow.clear(appId, objectType, released[objectType]);
  }
  // The job's status shows the last failure that came from a peer (the target refusing or away).
  const peerFailure = outcomes.findLast((o) => o.status === 'Failure' && o.error?.peer !== undefined);
  if (peerFailure) await recordAppError(env, appId, run.cycleId, peerFailure.error!);
  return outcomes;
}
