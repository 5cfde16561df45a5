/**
 * The lifecycle activities: what joiner, mover, leaver and rehire runs do to one person in one
 * app. Provisioning goes through on-demand provisioning (the cycle's scope, reconcile and save
 * path); disabling and deleting through `reconcileObject` with the action the run asks for.
 * Every call is idempotent: the reconcile path matches and reads anchors before it writes.
 */
import { Context } from '@temporalio/activity';
import { createAlerter, type Alerter } from '../src/alerts/index';
import { lifecycleSettings } from '../src/lifecycle/index';
import type { Logger } from '../src/log/index';
import { reconcileObject, type MappingPort, type ReconcileOutcome } from '../src/reconcile/index';
import type { SourceObject } from '../src/source/index';
import type { ProvisioningLogInput, Store } from '../src/store/index';
import type { AppConfig } from '../src/config/app';
import type { PeopleDirectory } from '../src/graph/index';
import { directoryOfApps, employeeKey } from '../src/lifecycle/directory';
import { failing } from './activities';
import { logEntryOf } from './log-entry';
import { createAppContexts } from './app-context';
import type { LifecycleActivities, LifecycleApp, PersonAppResult } from './lifecycle-types';
import type { ClientFactories } from './ports';
import type { ScimflowActivities } from './types';

export interface LifecycleActivityDeps {
  store: Store;
  clients: ClientFactories;
  logger: Logger;
  /** On-demand provisioning of the main activities: the one path that decides scope and provisions one user. */
  provisionOnDemand: ScimflowActivities['provisionOnDemand'];
  /** The dry run of the main activities: the cycle's scope decision for one user, nothing written. */
  previewObject: ScimflowActivities['previewObject'];
  alerter?: Alerter;
  /** Where employee ids are looked up; default: the tenant of the oldest app. */
  directory?: () => Promise<PeopleDirectory | undefined>;
  now?: () => Date;
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

/**
 * The app's mapping with the account's `active` held false: the planner creates the account (the
 * person is wanted) and the target receives it disabled; the anchor records it disabled, so the
 * reconcile on the start date enables it.
 */
function heldDisabled(mapping: MappingPort): MappingPort {
  return {
    ...mapping,
    map(source, operation) {
      const desired = mapping.map(source, operation);
      return { ...desired, active: true, resource: { ...desired.resource, active: false }, values: { ...desired.values, active: false } };
    },
  };
}

export function createLifecycleActivities(deps: LifecycleActivityDeps): LifecycleActivities {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const appContext = createAppContexts(store, deps.clients);
  const alerter = deps.alerter ?? createAlerter({ logger: deps.logger });
  const directory = deps.directory ?? directoryOfApps(store);

  /** The log entry of a lifecycle change: one per event, action, app and try, so a retried activity logs it once. */
  const logEntry = (appId: string, changeId: string, o: ReconcileOutcome, startedAt: Date): ProvisioningLogInput =>
    logEntryOf(o, { appId, cycleId: null, changeId }, startedAt, now());

  return {
    async resolveEmployee({ employeeId }) {
      return failing(async () => {
        const found = (await (await directory())?.findByEmployeeId(employeeId)) ?? [];
        if (found.length === 0)
          return { objectId: null, reason: `no user with employeeId ${JSON.stringify(employeeId)} in the directory yet` };
        if (found.length > 1) return { objectId: null, reason: `${found.length} users have employeeId ${JSON.stringify(employeeId)}` };
        const [person] = found;
        await store.persons.ensure({ objectId: person!.objectId, employeeId, displayName: person!.displayName, state: 'prehire' });
        await store.persons.rekeyEvents(employeeKey(employeeId), person!.objectId);
        return { objectId: person!.objectId, displayName: person!.displayName };
      });
    },

    async lifecycleApps() {
      return failing(async () => (await store.apps.list()).map(appOf));
    },

    async appsHoldingAccount({ objectId }) {
      return failing(async () => {
        const apps = await store.apps.list();
        if (apps.length === 0) return [];
        // Naming every app lets the anchors' primary key (app, type, source) answer.
        const rows = await store.db
          .selectFrom('anchors')
          .select('app_id')
          .where(
            'app_id',
            'in',
            apps.map((app) => app.id),
          )
          .where('object_type', '=', 'user')
          .where('source_id', '=', objectId)
          .where('state', '!=', 'deleted')
          .execute();
        const holding = new Set(rows.map((r) => r.app_id));
        return apps.filter((app) => holding.has(app.id)).map(appOf);
      });
    },

    async setPersonState({ objectId, state, eventId, effectiveAt }) {
      return failing(async () => {
        await store.persons.ensure({ objectId, state });
        const { person, changed } = await store.persons.setState(objectId, state, { eventId, effectiveAt });
        return { changed, state: person?.state ?? null };
      });
    },

    async provisionPerson({ appId, objectId, eventId, attempt }) {
      const result = await deps.provisionOnDemand({
        appId,
        objectId,
        changeId: `lifecycle:${eventId}:provision:${appId}:${objectId}:${attempt}`,
      });
      if (!result.outcome) {
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
      }
      return resultOf(appId, { ...result.outcome, status: result.status });
    },

    async provisionPersonDisabled({ appId, objectId, eventId, attempt }) {
      return failing(async () => {
        const startedAt = now();
        const preview = await deps.previewObject({ appId, objectId });
        if (!preview.found || !preview.scope || !preview.source) {
          return {
            appId,
            status: 'NotFound' as const,
            action: null,
            targetId: null,
            reason: preview.error?.message ?? `no user ${objectId} in the source directory`,
          };
        }
        const ctx = await appContext(appId);
        const skipped = (reason: string): PersonAppResult => ({ appId, status: 'Skipped', action: 'Other', targetId: null, reason });
        if (!preview.scope.inScope) return skipped(`not in the app's scope: ${preview.scope.detail}`);
        if (!ctx.mapping.paths.includes('active')) return skipped('the app does not map active; the account is made on the start date');
        const batch = ctx.batch();
        const anchor = await batch.context.anchors.get(objectId);
        if (anchor && anchor.state !== 'deleted')
          return skipped(`the account ${anchor.targetId} exists already; it stays as it is until the start date`);
        const source: SourceObject = { id: objectId, type: 'user', attributes: preview.source as SourceObject['attributes'] };
        const outcome = await reconcileObject({ ...batch.context, mapping: heldDisabled(ctx.mapping) }, source, preview.scope);
        await store.provisioningLog.append([
          logEntry(appId, `lifecycle:${eventId}:create-disabled:${appId}:${objectId}:${attempt}`, outcome, startedAt),
        ]);
        await batch.flush([objectId]);
        return resultOf(appId, outcome);
      });
    },

    async deprovisionPerson({ appId, objectId, eventId, attempt, action, reason, onlyIf }) {
      return failing(async () => {
        const startedAt = now();
        const ctx = await appContext(appId);
        const person = await store.persons.get(objectId);
        if (onlyIf && person && person.state !== onlyIf) {
          return {
            appId,
            status: 'Skipped' as const,
            action: 'Other' as const,
            targetId: null,
            reason: `the person is ${person.state} now (lifecycle event ${person.stateEventId}); nothing to ${action}`,
          };
        }
        // A leaver is out of scope whatever the directory says now: nothing is read from it, so
        // an unreachable Graph does not hold a leaver back.
        const source: SourceObject = {
          id: objectId,
          type: 'user',
          attributes: person?.displayName ? { displayName: person.displayName } : {},
        };
        const batch = ctx.batch();
        const context = {
          ...batch.context,
          deprovisioning: { ...ctx.app.deprovisioning, softDeleted: action, hardDeleted: action, outOfScope: action },
        };
        const outcome = await reconcileObject(context, source, { inScope: false, detail: reason });
        const changeId = `lifecycle:${eventId}:${action}:${appId}:${objectId}:${attempt}`;
        await store.provisioningLog.append([logEntry(appId, changeId, outcome, startedAt)]);
        await batch.flush([objectId]);
        if (outcome.status === 'Failure') {
          Context.current().log.warn('lifecycle deprovisioning failed', { appId, objectId, eventId, code: outcome.error?.code ?? null });
        }
        return resultOf(appId, outcome);
      });
    },

    async sendLifecycleAlert(alert) {
      return failing(async () => {
        const event = {
          type: alert.type,
          appId: alert.apps[0]?.appId ?? '',
          appIds: alert.apps.map((a) => a.appId),
          apps: alert.apps,
          reason: 'LeaverNotDone',
          objectId: alert.objectId,
          eventId: alert.eventId,
          displayName: alert.displayName,
          message: alert.message,
          at: now().toISOString(),
        };
        await alerter.send(event);
      });
    },
  };
}
