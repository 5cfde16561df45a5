/**
 * The retention schedule on the shared Temporal dev server: the service creates it at start,
 * creating it again updates it (one schedule, the new days), and a run it starts purges the
 * provisioning log past the cut-off in batches, heartbeating, and leaves the rest.
 */
import { alertScheduleId } from '../../src/service/alert-schedule';
import { randomBytes, randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appInputSchema, splitSecrets } from '../../src/config/app';
import { createLogger } from '../../src/log/index';
import { ensureRetentionSchedule, retentionScheduleId } from '../../src/service/retention-schedule';
import { startService, type RunningService } from '../../src/service/service';
import { openDatabase, type ProvisioningLogInput, type Store } from '../../src/store/index';
import { testEnv, uniqueName } from '../support/env';
import { testPayloadKeyring } from '../support/payload-keys';

const DAY = 24 * 3_600_000;

let store: Store;
let service: RunningService;
const taskQueue = uniqueName('retention');

beforeAll(async () => {
  const secretKey = randomBytes(32);
  store = await openDatabase({ secretKey });
  service = await startService({
    store,
    logger: createLogger({ level: 'silent' }),
    temporalAddress: testEnv.temporalAddress,
    namespace: 'default',
    taskQueue,
    adminToken: randomBytes(24).toString('base64url'),
    secretKey,
    payloadKeys: testPayloadKeyring,
    workflowBundle: { codePath: testEnv.workflowBundlePath },
    logRetentionDays: 10,
  });
});

afterAll(async () => {
  for (const scheduleId of [retentionScheduleId(taskQueue), alertScheduleId(taskQueue)])
    await service?.client.schedule
      .getHandle(scheduleId)
      .delete()
      .catch(() => {});
  await service?.stop();
  await store?.close();
});

async function newApp() {
  const { config, secrets } = splitSecrets(
    appInputSchema.parse({
      displayName: uniqueName('app'),
      source: { type: 'graph', tenantId: 'tenant-1', clientId: 'client-1', clientSecret: 'not-a-secret' },
      target: { type: 'scim', baseUrl: 'https://scim.example.com/v2', auth: { type: 'bearer', token: 'not-a-token' } },
    }),
  );
  return store.apps.create(config, secrets);
}

function entry(appId: string): ProvisioningLogInput {
  return {
    appId,
    cycleId: null,
    changeId: randomUUID(),
    objectType: 'user',
    sourceId: randomUUID(),
    action: 'Create',
    status: 'Success',
    startedAt: new Date().toISOString(),
    durationMs: 1,
  };
}

async function recordAt(appId: string, createdAt: Date, count: number): Promise<string[]> {
  const entries = Array.from({ length: count }, () => entry(appId));
  await store.provisioningLog.append(entries);
  await store.db
    .updateTable('provisioning_log')
    .set({ created_at: createdAt })
    .where(
      'change_id',
      'in',
      entries.map((e) => e.changeId),
    )
    .execute();
  return entries.map((e) => e.changeId);
}

describe('the retention schedule', () => {
  it('is created at service start, every hour, starting purgeLogs with the days set', async () => {
    const described = await service.client.schedule.getHandle(retentionScheduleId(taskQueue)).describe();
    expect(described.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'purgeLogs',
      taskQueue,
      args: [
        {
          logs: [
            { log: 'provisioning-log', days: 10 },
            { log: 'audit-log', days: 365 },
          ],
        },
      ],
    });
    expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
    expect(described.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
  });

  it('is updated, not duplicated, when ensured again with other days', async () => {
    await ensureRetentionSchedule(service.client, taskQueue, [{ log: 'provisioning-log', days: 3 }]);
    await ensureRetentionSchedule(service.client, taskQueue, [{ log: 'provisioning-log', days: 3 }]);
    const described = await service.client.schedule.getHandle(retentionScheduleId(taskQueue)).describe();
    expect(described.action).toMatchObject({ args: [{ logs: [{ log: 'provisioning-log', days: 3 }] }] });
    const ids: string[] = [];
    for await (const schedule of service.client.schedule.list())
      if (schedule.scheduleId.startsWith(taskQueue)) ids.push(schedule.scheduleId);
    // The service's own: the alert schedule beside it, and one retention schedule.
    expect(ids.sort()).toEqual([alertScheduleId(taskQueue), retentionScheduleId(taskQueue)]);
  });

  it('starts a run that purges entries older than the days, in every app, and keeps the rest', async () => {
    const [appA, appB] = [await newApp(), await newApp()];
    const now = Date.now();
    await recordAt(appA.id, new Date(now - 5 * DAY), 7_000);
    await recordAt(appB.id, new Date(now - 4 * DAY), 4);
    const kept = [...(await recordAt(appA.id, new Date(now - 2 * DAY), 3)), ...(await recordAt(appB.id, new Date(now - DAY), 2))];

    const handle = service.client.schedule.getHandle(retentionScheduleId(taskQueue));
    await handle.trigger();
    let workflowId: string | undefined;
    for (let i = 0; i < 100 && workflowId === undefined; i++) {
      workflowId = (await handle.describe()).info.recentActions.at(-1)?.action.workflow.workflowId;
      if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(workflowId).toMatch(new RegExp(`^${taskQueue}/log-retention/purge`));
    const result = await service.client.workflow.getHandle(workflowId!).result();
    expect(result.logs).toEqual([{ log: 'provisioning-log', before: expect.any(String), deleted: 7_004 }]);
    expect(Date.parse(result.logs[0].before)).toBeGreaterThan(now - 3 * DAY - 60_000);
    expect(Date.parse(result.logs[0].before)).toBeLessThan(now - 3 * DAY + 60_000);

    const left = await store.db.selectFrom('provisioning_log').select('change_id').where('app_id', 'in', [appA.id, appB.id]).execute();
    expect(left.map((row) => row.change_id).sort()).toEqual(kept.sort());
    // 7,004 entries in batches of 5,000 (two statements) within one activity.
    const history = await service.client.workflow.getHandle(workflowId!).fetchHistory();
    expect(history.events?.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'purgeLog')).toHaveLength(
      1,
    );
  });
});
