/**
 * One person's accounts in a few apps, held in memory, as the lifecycle activities see them: for
 * runs on Temporal's time-skipping test server, where months pass in seconds and the real
 * activities (dev server, test/e2e) would have nothing to wait for. Every call is recorded with
 * the test server's clock.
 *
 * @example
 * const world = fakeWorld(() => env.currentTimeMs(), [lifecycleApp('a', { leadTimeDays: 3 })]);
 * const worker = await Worker.create({ ..., activities: world.activities });
 */
import type { LifecycleActivities, LifecycleAlert, LifecycleApp, PersonAppResult } from '../../src/lifecycle/contract';

/** An app's lifecycle settings: the defaults, with `settings` over them. */
export function lifecycleApp(appId: string, settings: Partial<LifecycleApp> = {}): LifecycleApp {
  return {
    appId,
    displayName: `App ${appId}`,
    leadTimeDays: 0,
    createDisabled: false,
    retentionDays: 30,
    leaverTimeoutMinutes: 15,
    deletesLeavers: false,
    ...settings,
  };
}

export interface Call {
  name: string;
  appId?: string;
  action?: string;
  state?: string;
  /** The test server's clock when the call ran. */
  at: number;
}

export interface FakeWorldOptions {
  /** Apps that hold an account (active) from the start. */
  holding?: string[];
  /** How many deprovisionings fail (503) per app before one succeeds. */
  failing?: Record<string, number>;
  /** From this time (epoch ms) the directory knows an employee looked up by id. */
  inDirectoryFrom?: number;
  /** Until this time (epoch ms) the directory cannot be read: a lookup by employee id throws. */
  unreachableUntil?: number;
}

export function fakeWorld(clock: () => Promise<number>, apps: LifecycleApp[], options: FakeWorldOptions = {}) {
  const accounts = new Map<string, 'active' | 'disabled' | 'deleted'>((options.holding ?? []).map((id) => [id, 'active']));
  const failures = new Map(Object.entries(options.failing ?? {}));
  const calls: Call[] = [];
  const alerts: LifecycleAlert[] = [];
  let person: string | null = null;
  const result = (appId: string, action: PersonAppResult['action']): PersonAppResult => ({
    appId,
    status: 'Success',
    action,
    targetId: `t-${appId}`,
    reason: 'ok',
  });
  const activities: LifecycleActivities = {
    async resolveEmployee({ employeeId }) {
      const at = await clock();
      calls.push({ name: 'resolveEmployee', at });
      if (options.unreachableUntil !== undefined && at < options.unreachableUntil)
        throw new Error('No token from the identity platform (network_error)');
      if (options.inDirectoryFrom === undefined || at < options.inDirectoryFrom)
        return { objectId: null, reason: `no user with employeeId "${employeeId}" in the directory yet` };
      return { objectId: `object-of-${employeeId}`, displayName: 'Ada' };
    },
    lifecycleApps: async () => apps,
    appsHoldingAccount: async () => apps.filter((a) => accounts.has(a.appId) && accounts.get(a.appId) !== 'deleted'),
    async setPersonState({ state }) {
      calls.push({ name: 'setPersonState', state, at: await clock() });
      person = state;
      return { changed: true, state };
    },
    async provisionPerson({ appId }) {
      calls.push({ name: 'provision', appId, at: await clock() });
      const before = accounts.get(appId);
      accounts.set(appId, 'active');
      return result(appId, before && before !== 'deleted' ? 'Update' : 'Create');
    },
    async provisionPersonDisabled({ appId }) {
      calls.push({ name: 'provisionDisabled', appId, at: await clock() });
      if (accounts.has(appId) && accounts.get(appId) !== 'deleted') return { ...result(appId, 'Other'), status: 'Skipped' };
      accounts.set(appId, 'disabled');
      return result(appId, 'Create');
    },
    async deprovisionPerson({ appId, action }) {
      calls.push({ name: 'deprovision', appId, action, at: await clock() });
      const left = failures.get(appId) ?? 0;
      if (left > 0) {
        failures.set(appId, left - 1);
        return {
          appId,
          status: 'Failure',
          action: 'Other',
          targetId: null,
          reason: 'HTTP 503 from the target',
          error: { kind: 'transient', code: 'ServiceUnavailable', message: 'HTTP 503 from the target', detail: 'down for maintenance' },
        };
      }
      if (!accounts.has(appId) || accounts.get(appId) === 'deleted') return { ...result(appId, 'Other'), status: 'Skipped' };
      accounts.set(appId, action === 'delete' ? 'deleted' : 'disabled');
      return result(appId, action === 'delete' ? 'Delete' : 'Disable');
    },
    async sendLifecycleAlert(alert) {
      alerts.push(alert);
    },
    async deliverEvent({ objectId, event }) {
      calls.push({ name: 'deliverEvent', state: `${event.type}:${event.eventId}:${objectId}`, at: await clock() });
      return { workflowId: `person/${objectId}/${event.type}`, supersededBy: null };
    },
  };
  return { accounts, calls, alerts, activities, person: () => person };
}
