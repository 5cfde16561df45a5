/**
 * The runs of the service's own schedules (on the dev server, a worker with the real activities
 * over an embedded database), each triggered once: the retention schedule's purge, and the alert
 * schedule's checks (the cadence check over an app without a successful cycle, then delivery).
 */
import { randomBytes } from 'node:crypto';
import type { Teardown } from '../../../bench/teardown';
import { createLogger } from '../../../src/log/index';
import { alertScheduleId } from '../../../src/service/alert-schedule';
import { retentionScheduleId } from '../../../src/service/retention-schedule';
import { startService, type RunningService } from '../../../src/service/service';
import { openDatabase, type Store } from '../../../src/store/index';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { storeApp } from '../../support/engine';
import { testEnv, uniqueName } from '../../support/env';
import { RECORDING_PAYLOAD_KEYS } from '../history-files';
import { covering, historyOf, type Log, type Recorded } from './runs';

async function scheduledService(teardown: Teardown, name: string): Promise<{ service: RunningService; store: Store; taskQueue: string }> {
  const secretKey = randomBytes(32);
  const store = await openDatabase({ secretKey });
  teardown.add(`${name} store`, () => store.close());
  const taskQueue = uniqueName(`replay-${name}`);
  const service = await startService({
    store,
    logger: createLogger({ level: 'warn' }),
    temporalAddress: testEnv.temporalAddress,
    namespace: 'default',
    taskQueue,
    adminToken: randomBytes(24).toString('base64url'),
    secretKey,
    payloadKeys: parsePayloadKeys(RECORDING_PAYLOAD_KEYS),
    workflowBundle: { codePath: testEnv.workflowBundlePath },
    logRetentionDays: 30,
  });
  teardown.add(`${name} service`, () => service.stop());
  for (const scheduleId of [retentionScheduleId(taskQueue), alertScheduleId(taskQueue)]) {
    const schedule = service.client.schedule.getHandle(scheduleId);
    teardown.add(`${scheduleId} schedule`, () => schedule.delete());
  }
  return { service, store, taskQueue };
}

/** Triggers the schedule once, waits for the run it started and returns its history. */
async function triggeredRun(service: RunningService, scheduleId: string) {
  const schedule = service.client.schedule.getHandle(scheduleId);
  const before = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger();
  let workflowId: string | undefined;
  while (workflowId === undefined) {
    const actions = (await schedule.describe()).info.recentActions;
    workflowId = actions.length > before ? actions.at(-1)?.action.workflow.workflowId : undefined;
    if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.client.workflow.getHandle(workflowId).result();
  return historyOf(service.client, workflowId);
}

export async function recordLogRetention(teardown: Teardown, log: Log): Promise<Recorded> {
  const { service, taskQueue } = await scheduledService(teardown, 'retention');
  log('log retention: a purge run started by the schedule');
  const file = 'purgeLogs-scheduled-run.json';
  return { [file]: covering(file, await triggeredRun(service, retentionScheduleId(taskQueue)), ['activity:purgeLog', 'completed']) };
}

export async function recordAlertChecks(teardown: Teardown, log: Log): Promise<Recorded> {
  const { service, store, taskQueue } = await scheduledService(teardown, 'alerts');
  // No job runs it (it is in the store only): its first cycle is overdue at once.
  const app = await storeApp(store, { schedule: { intervalMinutes: 1 }, alerts: { noSuccessfulCycle: { threshold: 1 } } });
  await store.db
    .updateTable('apps')
    .set({ created_at: new Date(Date.now() - 3_600_000) })
    .where('id', '=', app.id)
    .execute();
  log('alert checks: a run started by the schedule, an app overdue');
  const file = 'alertChecks-scheduled-run.json';
  const history = await triggeredRun(service, alertScheduleId(taskQueue));
  return { [file]: covering(file, history, ['activity:checkCycleCadence', 'activity:deliverAlerts', 'completed']) };
}
