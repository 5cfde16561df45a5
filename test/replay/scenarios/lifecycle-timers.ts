/**
 * Lifecycle runs whose waits are days long, on Temporal's time-skipping test server with
 * in-memory activities (as test/lifecycle/timers.test.ts): a joiner provisioned each app's lead
 * time before a start date ten days ahead; a joiner whose account is made disabled at the lead
 * time and enabled on the start date; a leaver deleted after the 30-day retention.
 */
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Teardown } from '../../../bench/teardown';
import type { LifecycleApp } from '../../../src/lifecycle/contract';
import { toolPath } from '../../../src/tools/index';
import { personWorkflowId } from '../../../workflows/lifecycle/definitions';
import { joiner, leaver } from '../../../workflows/lifecycle/index';
import { fakeWorld, lifecycleApp, type FakeWorldOptions } from '../../fakes/lifecycle-world';
import { testEnv } from '../../support/env';
import { recordingDataConverter, type History } from '../history-files';
import { covering, type Log, type Recorded } from './runs';

const DAY = 24 * 3_600_000;

export async function recordLifecycleTimers(teardown: Teardown, log: Log): Promise<Recorded> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: await toolPath('temporal-test-server') } },
    client: { dataConverter: recordingDataConverter },
  });
  teardown.add('time-skipping test server', () => env.teardown());

  /** Runs one person's workflow to its end, effective `effectiveInMs` from the server's now, and returns its history. */
  async function run(type: 'joiner' | 'leaver', apps: LifecycleApp[], effectiveInMs: number, options?: FakeWorldOptions): Promise<History> {
    const world = fakeWorld(() => env.currentTimeMs(), apps, options);
    const taskQueue = `replay-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: { codePath: testEnv.workflowBundlePath },
      dataConverter: recordingDataConverter,
      activities: world.activities,
    });
    return worker.runUntil(async () => {
      const objectId = randomUUID();
      const handle = await env.client.workflow.start(type === 'joiner' ? joiner : leaver, {
        taskQueue,
        workflowId: personWorkflowId(objectId, type),
        args: [{ objectId, eventId: `${type}-1`, effectiveAt: new Date((await env.currentTimeMs()) + effectiveInMs).toISOString() }],
      });
      const result = await handle.result();
      if (result.state !== 'done') throw new Error(`${handle.workflowId}: ${JSON.stringify(result)}`);
      return handle.fetchHistory();
    });
  }

  const files = {
    leadTime: 'joiner-lead-time.json',
    createDisabled: 'joiner-create-disabled.json',
    retention: 'leaver-retention-passed-deleted.json',
  };
  log('lifecycle timers: a joiner with a lead time');
  const leadTime = await run('joiner', [lifecycleApp('early', { leadTimeDays: 3 }), lifecycleApp('onTheDay')], 10 * DAY);
  log('lifecycle timers: a joiner made disabled at the lead time');
  const createDisabled = await run(
    'joiner',
    [lifecycleApp('early', { leadTimeDays: 5, createDisabled: true }), lifecycleApp('onTheDay')],
    10 * DAY,
  );
  log('lifecycle timers: a leaver deleted after the retention');
  const retention = await run('leaver', [lifecycleApp('deletes', { deletesLeavers: true }), lifecycleApp('keeps')], 0, {
    holding: ['deletes', 'keeps'],
  });
  return {
    [files.leadTime]: covering(files.leadTime, leadTime, ['timer:7d', 'activity:provisionPerson', 'activity:setPersonState', 'completed']),
    [files.createDisabled]: covering(files.createDisabled, createDisabled, [
      'timer:5d',
      'activity:provisionPersonDisabled',
      'activity:provisionPerson',
      'completed',
    ]),
    [files.retention]: covering(files.retention, retention, ['activity:deprovisionPerson', 'timer:30d', 'completed']),
  };
}
