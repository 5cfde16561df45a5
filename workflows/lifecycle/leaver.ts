/**
 * A leaver (`person/{objectId}/leaver`): at the leave date (now, if past) the person is marked
 * left, so no cycle provisions or re-enables them again, and their account is disabled in every
 * app that holds one, all apps at once, each retried until done. An operator is alerted when an
 * app is not done within its leaver timeout. Apps set to delete then delete the account after
 * their retention period. A rehire before the date cancels the leave; during retention, it
 * cancels the pending deletions (the rehire run re-enables the accounts).
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { LifecycleApp } from '../../src/lifecycle/contract';
import { deleteAt } from '../../src/lifecycle/state';
import { lifecycleProgressQuery, rehireSignal, setEffectiveAtSignal, type LifecycleInput, type LifecycleProgress } from './definitions';
import { startStep, waiting } from './progress';
import { recordAppIds } from './search';
import { bookkeeping, lifecycle, untilDone, waitUntil } from './steps';

export interface LeaverResult {
  state: 'done' | 'cancelled';
  apps: LifecycleProgress['apps'];
}

export async function leaver(input: LifecycleInput): Promise<LeaverResult> {
  const progress: LifecycleProgress = {
    kind: 'leaver',
    objectId: input.objectId,
    eventId: input.eventId,
    effectiveAt: input.effectiveAt,
    phase: 'waiting',
    note: null,
    apps: [],
  };
  let rehired = false;
  setHandler(lifecycleProgressQuery, () => progress);
  setHandler(setEffectiveAtSignal, ({ eventId, effectiveAt }) => {
    // Once the leave has taken effect a new date changes nothing.
    if (progress.phase !== 'waiting') return;
    progress.eventId = eventId;
    progress.effectiveAt = effectiveAt;
  });
  setHandler(rehireSignal, ({ eventId }) => {
    rehired = true;
    progress.note = `rehired (event ${eventId})`;
  });

  if (
    await waitUntil(
      () => Date.parse(progress.effectiveAt),
      () => rehired,
    )
  ) {
    progress.phase = 'cancelled';
    return { state: 'cancelled', apps: progress.apps };
  }
  const marked = await bookkeeping.setPersonState({
    objectId: input.objectId,
    state: 'left',
    eventId: progress.eventId,
    effectiveAt: progress.effectiveAt,
  });
  if (!marked.changed && marked.state !== 'left') {
    progress.phase = 'cancelled';
    progress.note = 'a later lifecycle change is recorded for this person; the leave no longer applies';
    return { state: 'cancelled', apps: progress.apps };
  }

  progress.phase = 'running';
  const apps = await bookkeeping.appsHoldingAccount({ objectId: input.objectId });
  recordAppIds(apps.map((app) => app.appId));
  progress.apps = apps.map((app) => waiting(app, 'disable', null));
  const disabled = new Set<string>();

  const overdue = overdueAlert(apps, progress, disabled, input);
  await Promise.all(
    apps.map(async (app, i) => {
      const appProgress = progress.apps[i]!;
      await untilDone(
        appProgress,
        (attempt) =>
          lifecycle.deprovisionPerson({
            appId: app.appId,
            objectId: input.objectId,
            eventId: progress.eventId,
            attempt,
            action: 'disable',
            reason: `the person left (lifecycle event ${progress.eventId})`,
            onlyIf: 'left',
          }),
        { stop: () => rehired },
      );
      disabled.add(app.appId);
      if (!app.deletesLeavers || rehired) return;
      const at = deleteAt(Date.now(), app.retentionDays);
      startStep(appProgress, 'delete', at);
      if (
        await waitUntil(
          () => at,
          () => rehired,
        )
      ) {
        appProgress.state = 'cancelled';
        return;
      }
      await untilDone(
        appProgress,
        (attempt) =>
          lifecycle.deprovisionPerson({
            appId: app.appId,
            objectId: input.objectId,
            eventId: progress.eventId,
            attempt,
            action: 'delete',
            reason: `the person left (lifecycle event ${progress.eventId}) and the retention of ${app.retentionDays} days has passed`,
            onlyIf: 'left',
          }),
        { stop: () => rehired },
      );
    }),
  );
  await overdue;
  progress.phase = rehired ? 'cancelled' : 'done';
  return { state: rehired ? 'cancelled' : 'done', apps: progress.apps };
}

/** Alerts once when some app has not disabled the account within the shortest leaver timeout of the apps. */
async function overdueAlert(
  apps: LifecycleApp[],
  progress: LifecycleProgress,
  disabled: Set<string>,
  input: LifecycleInput,
): Promise<void> {
  if (apps.length === 0) return;
  const timeoutMs = Math.min(...apps.map((app) => app.leaverTimeoutMinutes)) * 60_000;
  if (await condition(() => disabled.size === apps.length, timeoutMs)) return;
  const late = progress.apps.filter((app) => !disabled.has(app.appId));
  await bookkeeping.sendLifecycleAlert({
    type: 'leaver-overdue',
    objectId: input.objectId,
    eventId: progress.eventId,
    displayName: null,
    apps: late.map((app) => ({
      appId: app.appId,
      displayName: app.displayName,
      error: app.error ? [app.error.message, app.error.detail].filter(Boolean).join(': ') : null,
    })),
    message: `leaver ${input.objectId} (event ${progress.eventId}) is not disabled after ${timeoutMs / 60_000} minutes in ${late.map((app) => app.displayName).join(', ')}; scimflow keeps retrying`,
  });
}
