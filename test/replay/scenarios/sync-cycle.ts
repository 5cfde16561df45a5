/**
 * The cycles of an app scoped to its assigned users that provisions groups, on the real service:
 * the initial cycle (user pages, escrow, a full groups round, references), then an incremental
 * one after a user, an assignment and memberships changed (user pages, assignments, escrow, an
 * incremental groups round, references). Graph pages of two make each round several pages.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { Teardown } from '../../../bench/teardown';
import { cycleWorkflowId } from '../../../workflows/ids';
import { startHarness } from '../../support/harness';
import { addPeople } from '../../support/people';
import { RECORDING_PAYLOAD_KEYS, RECORDING_SECRETS, type History } from '../history-files';
import { covering, historyOf, type Log, type Recorded } from './runs';

export async function recordSyncCycles(teardown: Teardown, log: Log): Promise<Recorded> {
  const h = await startHarness({
    graph: { clientSecret: RECORDING_SECRETS.graphClientSecret },
    payloadKeys: RECORDING_PAYLOAD_KEYS,
    graphPageSize: 2,
  });
  teardown.add('sync cycle harness', () => h.close());
  const client = h.service.client;

  const [ada, bob, cy, dee, eve, fay] = addPeople(h.graph, 6, 200);
  const sales = h.graph.addGroup({ displayName: 'Sales' });
  const ops = h.graph.addGroup({ displayName: 'Ops' });
  h.graph.addMembers(sales.id, [ada!.id, bob!.id, cy!.id]);
  h.graph.addMember(ops.id, dee!.id);
  h.graph.assign(ada!.id, 'User');
  h.graph.assign(sales.id, 'Group');
  h.graph.assign(ops.id, 'Group');

  log('sync cycle: the initial cycle of an assigned-scope app with groups');
  const app = await h.createApp({
    source: { ...h.graph.sourceConfig({ scope: 'assigned' }), clientSecret: RECORDING_SECRETS.graphClientSecret },
    groups: { enabled: true },
  });
  const first = await h.waitForCycle(app.id);
  if (first.kind !== 'initial' || first.state !== 'succeeded') throw new Error(`the first cycle: ${JSON.stringify(first)}`);

  log('sync cycle: an incremental cycle after user, assignment and membership changes');
  h.graph.updateUser(ada!.id, { jobTitle: 'Head of Sales' });
  h.graph.removeMember(sales.id, cy!.id);
  h.graph.addMember(ops.id, eve!.id);
  h.graph.assign(fay!.id, 'User');
  await h.api('POST', `/api/v1/apps/${app.id}/run`);
  const second = await h.waitForCycle(app.id, first.id);
  if (second.kind !== 'incremental' || second.state !== 'succeeded') throw new Error(`the second cycle: ${JSON.stringify(second)}`);

  const initialFile = 'syncCycle-initial-groups-assigned-scope.json';
  const incrementalFile = 'syncCycle-incremental-groups-assigned-scope.json';
  const initial = await historyOf(client, cycleWorkflowId(app.id, 1));
  const incremental = await historyOf(client, cycleWorkflowId(app.id, 2));
  groupRoundsOf(initialFile, initial, 'initial');
  groupRoundsOf(incrementalFile, incremental, 'incremental');
  return {
    [initialFile]: covering(initialFile, initial, [
      'activity:beginCycle',
      'activity:countSourceObjects',
      'activity:processPage',
      'activity:retryEscrow',
      'activity:resolveReferences',
      'activity:finishCycle',
      'completed',
    ]),
    [incrementalFile]: covering(incrementalFile, incremental, [
      'activity:beginCycle',
      'activity:processPage',
      'activity:reconcileAssignments',
      'activity:retryEscrow',
      'activity:resolveReferences',
      'activity:finishCycle',
      'completed',
    ]),
  };
}

/** Fails unless every groups page of the cycle was read in a round of `kind`. */
function groupRoundsOf(file: string, history: History, kind: 'initial' | 'incremental'): void {
  const kinds = (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes)
    .filter((scheduled) => scheduled?.activityType?.name === 'processPage')
    .map((scheduled) => defaultPayloadConverter.fromPayload<{ kind: string; objectType: string }>(scheduled!.input!.payloads![0]!))
    .filter((input) => input.objectType === 'group')
    .map((input) => input.kind);
  if (kinds.length === 0 || kinds.some((k) => k !== kind))
    throw new Error(`${file}: groups pages of kinds ${kinds.join(', ')}, not ${kind}`);
}
