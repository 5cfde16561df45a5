/**
 * A joiner or rehire (`person/{objectId}/joiner`, `.../rehire`): each app's account is made (or
 * re-enabled) its lead time before the start date, all apps at once, through on-demand
 * provisioning: the person's scope in each app decides, as in a cycle. An app with
 * `lifecycle.createDisabled` gets the account disabled at the lead time and enabled on the start
 * date. A person HR→Entra has not created yet is read again with growing gaps for a day. At the
 * start date the person becomes active; a rehire makes them active when their first app is due,
 * so that no app sees them as a leaver any longer.
 *
 * HR often announces a hire before Entra has the user: such a joiner runs by employee id
 * (`person/employee-ref:{opaque reference}/joiner`) and, from its first app's due time, looks the person up
 * in the directory with growing gaps, for a day at most; once found it goes on as above.
 *
 * A later joiner event for the same person while this run waits is a new start date
 * (`setEffectiveAt`); once the run is done, a new joiner event starts a new run under the same
 * id. A cancelled hire (`cancelHire`) stops the waiting; with `remove`, accounts already made
 * are deleted again.
 */
import { setHandler } from '@temporalio/workflow';
import type { PersonAppResult } from '../../src/lifecycle/contract';
import { dueAt } from '../../src/lifecycle/state';
import { stepRetryDelayMs } from '../../src/lifecycle/state';
import {
  cancelHireSignal,
  lifecycleProgressQuery,
  setEffectiveAtSignal,
  type JoinerInput,
  type LifecycleInput,
  type LifecycleProgress,
} from './definitions';
import { isDone, startStep, tried, waiting, type AppProgress } from './progress';
import { recordAppIds, recordPersonId } from './search';
import { bookkeeping, lifecycle, RETRY_CAP_MS, untilDone, waitUntil } from './steps';

/** How long a joiner keeps looking for a person the directory does not have yet. */
const DIRECTORY_WAIT_MS = 24 * 3_600_000;
/** How long a failing app is retried by the run; after that the cycle's escrow retries it. */
const PROVISION_RETRY_MS = 3_600_000;

export interface JoinerResult {
  state: 'done' | 'cancelled';
  apps: LifecycleProgress['apps'];
}

export function joiner(input: JoinerInput): Promise<JoinerResult> {
  return hire('joiner', input);
}

export function rehire(input: LifecycleInput): Promise<JoinerResult> {
  return hire('rehire', input);
}

async function hire(kind: 'joiner' | 'rehire', input: JoinerInput): Promise<JoinerResult> {
  const progress: LifecycleProgress = {
    kind,
    objectId: input.objectId,
    eventId: input.eventId,
    effectiveAt: input.effectiveAt,
    phase: 'waiting',
    note: null,
    apps: [],
  };
  let cancelled: { eventId: string; remove: boolean } | undefined;
  setHandler(lifecycleProgressQuery, () => progress);
  setHandler(setEffectiveAtSignal, ({ eventId, effectiveAt }) => {
    progress.eventId = eventId;
    progress.effectiveAt = effectiveAt;
  });
  setHandler(cancelHireSignal, (signal) => {
    cancelled ??= signal;
    progress.note = `hire cancelled (event ${signal.eventId})`;
  });

  const apps = await bookkeeping.lifecycleApps();
  recordAppIds(apps.map((app) => app.appId));
  const started = Date.now();
  const due = (leadTimeDays: number) => dueAt(progress.effectiveAt, leadTimeDays, started);
  progress.apps = apps.map((app) => waiting(app, 'provision', due(app.leadTimeDays)));
  const stop = () => cancelled !== undefined;

  const firstDue = () => Math.min(Date.parse(progress.effectiveAt), ...apps.map((app) => due(app.leadTimeDays)));
  let objectId = input.objectId;
  if (objectId === null) {
    if (await waitUntil(firstDue, stop)) return finish();
    objectId = await findInDirectory(input.employeeId ?? '', progress, stop);
    if (objectId === null) return finish();
    recordPersonId(objectId);
  }
  const person = objectId;

  // The state change: a joiner at the start date, a rehire before its first app is provisioned.
  const stateAt = () => (kind === 'rehire' ? firstDue() : Date.parse(progress.effectiveAt));
  let stateSet: Promise<void> | undefined;
  const setState = () =>
    (stateSet ??= (async () => {
      if (await waitUntil(stateAt, stop)) return;
      await bookkeeping.setPersonState({ objectId: person, state: 'active', eventId: progress.eventId, effectiveAt: progress.effectiveAt });
    })());
  if (kind === 'joiner') void setState();

  // Whether this run created the app's account: a cancelled hire with `remove` deletes it again.
  const created = apps.map(() => false);
  const provision = (appProgress: AppProgress, i: number, attempt: (n: number) => Promise<PersonAppResult>) => {
    const firstTry = Date.now();
    return untilDone(appProgress, attempt, {
      stop,
      // Not readable in the directory yet: keep looking for a day; a failing target: an hour, then escrow.
      done: (result) => isDone(result) || (result.status === 'Failure' && Date.now() - firstTry > PROVISION_RETRY_MS),
      giveUpAt: firstTry + DIRECTORY_WAIT_MS,
    }).then((result) => {
      if (result?.action === 'Create' && result.status === 'Success') created[i] = true;
      return result;
    });
  };

  await Promise.all(
    apps.map(async (app, i): Promise<PersonAppResult | undefined> => {
      const appProgress = progress.apps[i]!;
      if (await waitUntil(() => due(app.leadTimeDays), stop)) {
        appProgress.state = 'cancelled';
        return undefined;
      }
      if (kind === 'joiner' && app.createDisabled && due(app.leadTimeDays) < Date.parse(progress.effectiveAt)) {
        // The account exists, disabled, from the lead time; the start date enables it.
        progress.phase = 'running';
        await provision(appProgress, i, (attempt) =>
          lifecycle.provisionPersonDisabled({ appId: app.appId, objectId: person, eventId: progress.eventId, attempt }),
        );
        if (stop()) return undefined;
        startStep(appProgress, 'enable', Date.parse(progress.effectiveAt));
        if (await waitUntil(() => Date.parse(progress.effectiveAt), stop)) {
          appProgress.state = 'cancelled';
          return undefined;
        }
      }
      // A rehire, or a start on the start date itself, changes the state first: the scope of
      // someone who left would otherwise still say "out".
      if (kind === 'rehire' || Date.now() >= Date.parse(progress.effectiveAt)) await setState();
      progress.phase = 'running';
      return provision(appProgress, i, (attempt) =>
        lifecycle.provisionPerson({ appId: app.appId, objectId: person, eventId: progress.eventId, attempt }),
      );
    }),
  );
  await setState();

  if (cancelled?.remove) {
    // Whatever this run created goes again.
    await Promise.all(
      apps.map(async (app, i) => {
        if (!created[i]) return;
        const appProgress = progress.apps[i]!;
        startStep(appProgress, 'remove', null);
        await untilDone(
          appProgress,
          (attempt) =>
            lifecycle.deprovisionPerson({
              appId: app.appId,
              objectId: person,
              eventId: cancelled!.eventId,
              attempt,
              action: 'delete',
              reason: `the hire was cancelled (lifecycle event ${cancelled!.eventId})`,
            }),
          { stop: () => false },
        );
      }),
    );
  }
  return finish();

  function finish(): JoinerResult {
    for (const app of progress.apps) if (app.state === 'waiting') app.state = 'cancelled';
    progress.phase = cancelled ? 'cancelled' : 'done';
    return { state: cancelled ? 'cancelled' : 'done', apps: progress.apps };
  }
}

/**
 * Looks the person up by employee id until the directory knows them (every app's progress shows
 * the misses), for a day at most. Returns their object id, or null when stopped or given up.
 */
async function findInDirectory(employeeId: string, progress: LifecycleProgress, stop: () => boolean): Promise<string | null> {
  const giveUpAt = Date.now() + DIRECTORY_WAIT_MS;
  const missed = (app: AppProgress, reason: string, next: number | null) =>
    tried(
      app,
      {
        appId: app.appId,
        status: 'NotFound',
        action: null,
        targetId: null,
        reason,
        error: { kind: 'transient', code: 'NotFound', message: reason },
      },
      false,
      next,
    );
  for (let n = 1; ; n++) {
    const found = await bookkeeping.resolveEmployee({ employeeId });
    if (found.objectId !== null) {
      progress.objectId = found.objectId;
      for (const app of progress.apps) startStep(app, 'provision', null);
      return found.objectId;
    }
    const next = Date.now() + stepRetryDelayMs(n, RETRY_CAP_MS);
    for (const app of progress.apps) missed(app, found.reason, next > giveUpAt ? null : next);
    if (next > giveUpAt) return null;
    if (await waitUntil(() => next, stop)) return null;
  }
}
