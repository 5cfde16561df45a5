/**
 * An app's job on the real service: its first run (the initial cycle, then continue-as-new) and
 * the run after it, which is paused, asked to run, serves a provisioning on demand and a preview
 * while paused, is resumed, runs the requested cycle and continues as new again.
 */
import type { Teardown } from '../../../bench/teardown';
import { appJobId } from '../../../workflows/ids';
import { startHarness } from '../../support/harness';
import { addPeople } from '../../support/people';
import { RECORDING_PAYLOAD_KEYS, RECORDING_SECRETS } from '../history-files';
import { covering, firstRunId, historyOf, runContinuedFrom, type Log, type Recorded } from './runs';

export async function recordAppJob(teardown: Teardown, log: Log): Promise<Recorded> {
  const h = await startHarness({ graph: { clientSecret: RECORDING_SECRETS.graphClientSecret }, payloadKeys: RECORDING_PAYLOAD_KEYS });
  teardown.add('app job harness', () => h.close());
  const client = h.service.client;
  addPeople(h.graph, 3, 100);

  log('app job: the first run, its initial cycle');
  const app = await h.createApp();
  const job = client.workflow.getHandle(appJobId(app.id));
  const first = await h.waitForCycle(app.id);
  const firstRun = await firstRunId(job);
  const secondRun = await runContinuedFrom(job, firstRun);

  log('app job: provisioning on demand and preview, pause, run now, resume');
  const [joined, previewed] = addPeople(h.graph, 2, 110);
  const control = async (method: string, path: string, body?: unknown) => {
    const answer = await h.api(method, `/api/v1/apps/${app.id}/${path}`, body);
    if (answer.status >= 300) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  // A paused job answers on-demand requests 409, so they come first.
  await control('POST', 'provision-on-demand', { objectId: joined!.id });
  await control('POST', 'preview', { objectId: previewed!.id });
  await control('POST', 'pause');
  await control('POST', 'run');
  await control('POST', 'resume');
  await h.waitForCycle(app.id, first.id);
  await runContinuedFrom(job, secondRun);

  const firstFile = 'appJob-first-run-initial-cycle.json';
  const secondFile = 'appJob-continued-run-signals-and-updates.json';
  return {
    [firstFile]: covering(firstFile, await historyOf(client, job.workflowId, firstRun), [
      'activity:lastCycleNumber',
      'child:syncCycle',
      'continuedAsNew',
    ]),
    [secondFile]: covering(secondFile, await historyOf(client, job.workflowId, secondRun), [
      'signal:pause',
      'signal:runNow',
      'update:provisionOnDemand',
      'activity:provisionOnDemand',
      'update:preview',
      'activity:previewObject',
      'signal:resume',
      'child:syncCycle',
      'continuedAsNew',
    ]),
  };
}
