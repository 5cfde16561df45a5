/**
 * The retention schedule's run: the service's own schedule (on the dev server, a worker with
 * the real activity over an embedded database) triggered once, purging entries past the days.
 */
import { randomBytes } from 'node:crypto';
import type { Teardown } from '../../../bench/teardown';
import { createLogger } from '../../../src/log/index';
import { retentionScheduleId } from '../../../src/service/retention-schedule';
import { startService } from '../../../src/service/service';
import { openDatabase } from '../../../src/store/index';
import { parsePayloadKeys } from '../../../src/temporal/payload-keys';
import { testEnv, uniqueName } from '../../support/env';
import { RECORDING_PAYLOAD_KEYS } from '../history-files';
import { covering, historyOf, type Log, type Recorded } from './runs';

export async function recordLogRetention(teardown: Teardown, log: Log): Promise<Recorded> {
  const secretKey = randomBytes(32);
  const store = await openDatabase({ secretKey });
  teardown.add('retention store', () => store.close());
  const taskQueue = uniqueName('replay-retention');
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
  teardown.add('retention service', () => service.stop());
  const schedule = service.client.schedule.getHandle(retentionScheduleId(taskQueue));
  teardown.add('retention schedule', () => schedule.delete());

  log('log retention: a purge run started by the schedule');
  await schedule.trigger();
  let workflowId: string | undefined;
  while (workflowId === undefined) {
    workflowId = (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
    if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await service.client.workflow.getHandle(workflowId).result();
  const file = 'purgeLogs-scheduled-run.json';
  return { [file]: covering(file, await historyOf(service.client, workflowId), ['activity:purgeLog', 'completed']) };
}
