/**
 * Lifecycle runs on the real service, where their waits are short: a mover who leaves one app's
 * scope; a leaver disabled everywhere and waiting out the 30-day retention of an app that
 * deletes; that person's rehire during the retention (the leaver is signalled and ends
 * cancelled, the rehire re-enables); a joiner made disabled at an app's lead time whose start
 * date a second event moves to now.
 */
import type { Teardown } from '../../../bench/teardown';
import { employeeRefs } from '../../../src/lifecycle/employee-ref';
import { employeeWorkflowId, lifecycleProgressQuery, personWorkflowId } from '../../../workflows/lifecycle/definitions';
import { startHarness } from '../../support/harness';
import { eventually, runResult, sendEvents } from '../../support/lifecycle';
import { addPeople, person } from '../../support/people';
import { RECORDING_PAYLOAD_KEYS, RECORDING_SECRETS } from '../history-files';
import { covering, historyOf, historyWith, type Log, type Recorded } from './runs';

export async function recordLifecycle(teardown: Teardown, log: Log): Promise<Recorded> {
  const h = await startHarness({ graph: { clientSecret: RECORDING_SECRETS.graphClientSecret }, payloadKeys: RECORDING_PAYLOAD_KEYS });
  teardown.add('lifecycle harness', () => h.close());
  const client = h.service.client;
  // In R&D (see person()), so in the scoped app until the move.
  const [moving, leaving, held] = addPeople(h.graph, 3, 301);
  const plain = await h.createApp();
  const scoped = await h.createApp({
    scoping: { user: { groups: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'R&D' }] }] } },
  });
  const deleting = await h.createApp({
    deprovisioning: { softDeleted: 'disable', hardDeleted: 'delete', outOfScope: 'delete', threshold: 500 },
    lifecycle: { retentionDays: 30 },
  });
  for (const app of [plain, scoped, deleting]) await h.waitForCycle(app.id);
  const expectApps = (what: string, result: any, expected: Record<string, string>) => {
    const actions = Object.fromEntries(result.apps.map((a: any) => [a.appId, a.action]));
    for (const [appId, action] of Object.entries(expected))
      if (actions[appId] !== action) throw new Error(`${what}: ${JSON.stringify(result)}`);
  };

  log('lifecycle: a mover out of one app');
  h.graph.updateUser(moving!.id, { department: 'Sales', jobTitle: 'Account Manager' });
  await sendEvents(h, [{ eventId: 'move-301', type: 'mover', person: { objectId: moving!.id } }]);
  const moverId = personWorkflowId(moving!.id, 'mover');
  expectApps('the mover', await runResult(h, moverId), { [scoped.id]: 'Disable', [plain.id]: 'Update' });

  log('lifecycle: a leaver waiting out the retention');
  await sendEvents(h, [{ eventId: 'leave-302', type: 'leaver', person: { objectId: leaving!.id } }]);
  const leaverId = personWorkflowId(leaving!.id, 'leaver');
  await eventually(
    () => client.workflow.getHandle(leaverId).query(lifecycleProgressQuery),
    (progress) =>
      progress.apps.length === 3 && progress.apps.every((a) => (a.appId === deleting.id ? a.step === 'delete' : a.state === 'done')),
    'the leaver disabled everywhere and waiting to delete',
  );
  const waiting = await historyWith(client, leaverId, ['timer:30d']);

  log('lifecycle: a rehire during the retention');
  await sendEvents(h, [{ eventId: 'rehire-302', type: 'rehire', person: { objectId: leaving!.id } }]);
  const rehireId = personWorkflowId(leaving!.id, 'rehire');
  expectApps('the rehire', await runResult(h, rehireId), { [plain.id]: 'Update', [scoped.id]: 'Update', [deleting.id]: 'Update' });
  const leaver = await runResult(h, leaverId);
  if (leaver.state !== 'cancelled') throw new Error(`the rehired leaver: ${JSON.stringify(leaver)}`);

  log('lifecycle: a leaver by employee id held while the directory cannot be read');
  // Employee ids are looked up in the oldest app's tenant.
  await h.api('PATCH', `/api/v1/apps/${plain.id}`, { source: h.unreachableSource() });
  await sendEvents(h, [{ eventId: 'leave-303', type: 'leaver', person: { employeeId: held!.employeeId as string } }]);
  const pendingId = employeeWorkflowId(employeeRefs(h.secretKey)(held!.employeeId as string), 'pending');
  await eventually(
    () => client.workflow.getHandle(pendingId).query(lifecycleProgressQuery),
    (progress) => /next try at/.test(progress.note ?? ''),
    'the pending run waiting for the directory',
  );
  await h.api('PATCH', `/api/v1/apps/${plain.id}`, {
    source: { ...h.graph.sourceConfig(), clientSecret: RECORDING_SECRETS.graphClientSecret },
  });
  const delivered = await runResult(h, pendingId, 120_000);
  if (delivered.state !== 'delivered') throw new Error(`the pending leaver: ${JSON.stringify(delivered)}`);
  await runResult(h, personWorkflowId(held!.id, 'leaver')).catch(() => undefined);

  // Last: the app with a lead time takes part in every later run.
  log('lifecycle: a joiner made disabled at the lead time, start date moved to now');
  const early = await h.createApp({ lifecycle: { leadTimeDays: 7, createDisabled: true } });
  await h.waitForCycle(early.id);
  const joining = h.graph.addUser(person(310));
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  await sendEvents(h, [{ eventId: 'join-310', type: 'joiner', person: { objectId: joining.id }, effectiveAt: tomorrow }]);
  const joinerId = personWorkflowId(joining.id, 'joiner');
  await eventually(
    () => client.workflow.getHandle(joinerId).query(lifecycleProgressQuery),
    (progress) => progress.apps.some((a) => a.appId === early.id && a.step === 'enable' && a.state === 'waiting'),
    'the account made disabled at the lead time',
  );
  await historyWith(client, joinerId, ['activity:provisionPersonDisabled', 'timer:1d']);
  await sendEvents(h, [{ eventId: 'join-310-now', type: 'joiner', person: { objectId: joining.id } }]);
  expectApps('the joiner', await runResult(h, joinerId), { [early.id]: 'Update', [plain.id]: 'Create' });

  const files = {
    mover: 'mover-leaves-one-app-scope.json',
    waiting: 'leaver-retention-waiting.json',
    rehired: 'leaver-rehired-during-retention.json',
    rehire: 'rehire-during-leaver-retention.json',
    joiner: 'joiner-create-disabled-start-moved.json',
    pending: 'pendingEvents-leaver-directory-away.json',
  };
  return {
    [files.mover]: covering(files.mover, await historyOf(client, moverId), ['signal:reevaluate', 'activity:provisionPerson', 'completed']),
    [files.waiting]: covering(files.waiting, waiting, [
      'signal:setEffectiveAt',
      'activity:setPersonState',
      'activity:deprovisionPerson',
      'timer:30d',
    ]),
    [files.rehired]: covering(files.rehired, await historyOf(client, leaverId), ['timer:30d', 'signal:rehire', 'completed']),
    [files.rehire]: covering(files.rehire, await historyOf(client, rehireId), [
      'activity:setPersonState',
      'activity:provisionPerson',
      'completed',
    ]),
    [files.pending]: covering(files.pending, await historyOf(client, pendingId), [
      'signal:pendingEvent',
      'activity:resolveEmployee',
      'activity:deliverEvent',
      'completed',
    ]),
    [files.joiner]: covering(files.joiner, await historyOf(client, joinerId), [
      'activity:provisionPersonDisabled',
      'signal:setEffectiveAt',
      'activity:provisionPerson',
      'activity:setPersonState',
      'completed',
    ]),
  };
}
