/**
 * A mover (`person/{objectId}/mover`): re-evaluates the person in every app now, all apps at
 * once, through on-demand provisioning: apps the person is newly in scope for provision them,
 * apps they stay in update what changed, apps they left deprovision them per the app's
 * deprovisioning settings. Another mover event while this one runs makes it evaluate again.
 */
import { setHandler } from '@temporalio/workflow';
import { lifecycleProgressQuery, reevaluateSignal, type LifecycleInput, type LifecycleProgress } from './definitions';
import { waiting } from './progress';
import { recordAppIds } from './search';
import { bookkeeping, lifecycle, untilDone } from './steps';

/** How long a failing app is retried by the run; after that the cycle's escrow retries it. */
const RETRY_FOR_MS = 15 * 60_000;

export async function mover(input: LifecycleInput): Promise<{ state: 'done'; apps: LifecycleProgress['apps'] }> {
  const progress: LifecycleProgress = {
    kind: 'mover',
    objectId: input.objectId,
    eventId: input.eventId,
    effectiveAt: input.effectiveAt,
    phase: 'running',
    note: null,
    apps: [],
  };
  let again: string | undefined;
  setHandler(lifecycleProgressQuery, () => progress);
  setHandler(reevaluateSignal, ({ eventId }) => {
    again = eventId;
  });

  do {
    if (again !== undefined) progress.eventId = again;
    again = undefined;
    const apps = await bookkeeping.lifecycleApps();
    recordAppIds(apps.map((app) => app.appId));
    progress.apps = apps.map((app) => waiting(app, 'provision', null));
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    await Promise.all(
      apps.map((app, i) =>
        untilDone(
          progress.apps[i]!,
          (attempt) => lifecycle.provisionPerson({ appId: app.appId, objectId: input.objectId, eventId: progress.eventId, attempt }),
          {
            stop: () => false,
            giveUpAt,
            // A person the directory does not know is nothing to re-evaluate.
            done: (result) => result.status !== 'Failure',
          },
        ),
      ),
    );
  } while (again !== undefined);
  progress.phase = 'done';
  return { state: 'done', apps: progress.apps };
}
