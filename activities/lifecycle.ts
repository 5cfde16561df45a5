/**
 * The lifecycle activities: what joiner, mover, leaver and rehire runs do to one person in one
 * app, through the sync engine (provisioning as on demand; disabling and deleting through the
 * reconcile path with the action the run asks for), and their bookkeeping. Every call is
 * idempotent, and each try of a run is one provisioning-log entry per app.
 */
import { Context } from '@temporalio/activity';
import type { AppConfig } from '../src/config/app';
import type { PeopleDirectory } from '../src/graph/index';
import { alertSettings } from '../src/alerts/index';
import type { LifecycleActivities, LifecycleAlert, LifecycleApp, PersonAppResult } from '../src/lifecycle/contract';

/** The intake's delivery of a pending event (see LifecycleActivities.deliverEvent). */
export type DeliverEvent = LifecycleActivities['deliverEvent'];
import { directoryOfApps, employeeKey } from '../src/lifecycle/directory';
import { lifecycleSettings } from '../src/lifecycle/index';
import type { ReconcileOutcome } from '../src/reconcile/index';
import * as sync from '../src/sync/index';
import type { Run, SyncEnv } from '../src/sync/index';
import { failing } from './temporal';

/** The apps of a leaver alert whose `leaverOverdue` rule is on (an app deleted since counts as on). */
async function enabledApps(env: SyncEnv, apps: LifecycleAlert['apps']): Promise<LifecycleAlert['apps']> {
  const on = await Promise.all(
    apps.map(async ({ appId }) => {
      const app = await env.store.apps.get(appId);
      return !app || alertSettings(app).leaverOverdue.enabled;
    }),
  );
  return apps.filter((_, i) => on[i]);
}

function appOf(app: AppConfig): LifecycleApp {
  return { appId: app.id, displayName: app.displayName, ...lifecycleSettings(app) };
}

function resultOf(appId: string, outcome: Pick<ReconcileOutcome, 'status' | 'action' | 'targetId' | 'reason' | 'error'>): PersonAppResult {
  return {
    appId,
    status: outcome.status,
    action: outcome.action,
    targetId: outcome.targetId ?? null,
    reason: outcome.reason,
    ...(outcome.error && { error: outcome.error }),
  };
}

/** A run's try in one app: its log entries are named by event, step and try, so a retried activity logs once. */
const tryOf = (eventId: string, step: string, attempt: number): Run => ({
  cycleId: null,
  phase: step,
  request: `lifecycle:${eventId}:${attempt}`,
});

export function lifecycleActivities(
  env: SyncEnv,
  options: { directory?: () => Promise<PeopleDirectory | undefined>; deliverEvent?: DeliverEvent } = {},
): LifecycleActivities {
  const { store } = env;
  const directory = options.directory ?? directoryOfApps(store);
  return {
    resolveEmployee: ({ employeeId, state }) =>
      failing(async () => {
        const found = (await (await directory())?.findByEmployeeId(employeeId)) ?? [];
        if (found.length === 0)
          return { objectId: null, reason: `no user with employeeId ${JSON.stringify(employeeId)} in the directory yet` };
        if (found.length > 1) return { objectId: null, reason: `${found.length} users have employeeId ${JSON.stringify(employeeId)}` };
        const person = found[0]!;
        await store.persons.ensure({ objectId: person.objectId, employeeId, displayName: person.displayName, state: state ?? 'prehire' });
        await store.persons.rekeyEvents(employeeKey(employeeId), person.objectId);
        return { objectId: person.objectId, displayName: person.displayName };
      }),

    lifecycleApps: () => failing(async () => (await store.apps.list()).map(appOf)),

    appsHoldingAccount: ({ objectId }) =>
      failing(async () => {
        const apps = await store.apps.list();
        const holding = await store.anchors.appsHoldingUser(
          apps.map((app) => app.id),
          objectId,
        );
        return apps.filter((app) => holding.has(app.id)).map(appOf);
      }),

    setPersonState: ({ objectId, state, eventId, effectiveAt }) =>
      failing(async () => {
        await store.persons.ensure({ objectId, state });
        const { person, changed } = await store.persons.setState(objectId, state, { eventId, effectiveAt });
        return { changed, state: person?.state ?? null };
      }),

    provisionPerson: ({ appId, objectId, eventId, attempt }) =>
      failing(async () => {
        const result = await sync.provisionOne(env, appId, objectId, tryOf(eventId, 'provision', attempt));
        if (result.outcome) return resultOf(appId, { ...result.outcome, status: result.status });
        const error = result.error ?? {
          kind: 'permanent' as const,
          code: 'NotFound' as const,
          message: `no user ${objectId} in the source directory`,
        };
        return {
          appId,
          status: error.code === 'NotFound' ? 'NotFound' : 'Failure',
          action: null,
          targetId: null,
          reason: error.message,
          error,
        };
      }),

    provisionPersonDisabled: ({ appId, objectId, eventId, attempt }) =>
      failing(async () => {
        const step = await sync.provisionDisabled(env, appId, objectId, tryOf(eventId, 'create-disabled', attempt));
        if ('error' in step) return { appId, status: 'NotFound' as const, action: null, targetId: null, reason: step.error.message };
        if ('skipped' in step) return { appId, status: 'Skipped' as const, action: 'Other' as const, targetId: null, reason: step.skipped };
        return resultOf(appId, step.outcome);
      }),

    deprovisionPerson: ({ appId, objectId, eventId, attempt, action, reason, onlyIf }) =>
      failing(async () => {
        const person = await store.persons.get(objectId);
        if (onlyIf && person && person.state !== onlyIf) {
          const why = `the person is ${person.state} now (lifecycle event ${person.stateEventId}); nothing to ${action}`;
          return { appId, status: 'Skipped' as const, action: 'Other' as const, targetId: null, reason: why };
        }
        const who = { objectId, displayName: person?.displayName ?? null };
        const outcome = await sync.deprovisionPerson(env, appId, who, action, reason, tryOf(eventId, action, attempt));
        if (outcome.status === 'Failure')
          Context.current().log.warn('lifecycle deprovisioning failed', { appId, objectId, eventId, code: outcome.error?.code ?? null });
        return resultOf(appId, outcome);
      }),

    deliverEvent: (input) =>
      failing(() => {
        if (!options.deliverEvent) throw new Error('this worker has no lifecycle intake to deliver pending events to');
        return options.deliverEvent(input);
      }),

    sendLifecycleAlert: (alert) =>
      failing(async () => {
        const apps = await enabledApps(env, alert.apps);
        if (apps.length === 0 && alert.apps.length > 0) return;
        const event = {
          type: alert.type,
          appId: apps[0]?.appId ?? '',
          appIds: apps.map((a) => a.appId),
          apps,
          reason: alert.reason ?? 'LeaverNotDone',
          objectId: alert.objectId,
          eventId: alert.eventId,
          displayName: alert.displayName,
          message: alert.message,
          at: env.now().toISOString(),
        };
        // The run alerts once; the condition is its event, so a retried activity alerts once too.
        const rule = alert.type === 'leaver-overdue' ? 'leaverOverdue' : 'lifecycleEvents';
        await env.alerter.raise({ rule, subject: alert.eventId, condition: alert.reason ?? 'LeaverNotDone', event });
      }),
  };
}
