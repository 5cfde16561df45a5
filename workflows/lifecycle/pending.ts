/**
 * Events held for a person named by employee id while the directory could not be read
 * (`person/employee-ref:{opaque reference}/pending`): the run looks the person up with growing gaps and,
 * once the directory names them, hands every held event to the intake in the order received,
 * which starts or signals the person's runs as for an event by object id. More events for the
 * same person join the run (`pendingEvent`) and follow the earlier ones.
 *
 * A directory that answers but has no such user yet is asked again for a day (HR may be ahead
 * of Entra); one that cannot be read, for a week. Then the run gives up and alerts: the events
 * stay recorded and can be sent again.
 */
import { setHandler } from '@temporalio/workflow';
import type { PendingLifecycleEvent } from '../../src/lifecycle/contract';
import { initialState, stepRetryDelayMs } from '../../src/lifecycle/state';
import { errorInfoOf } from '../failures';
import { lifecycleProgressQuery, pendingEventSignal, type LifecycleProgress, type PendingInput } from './definitions';
import { bookkeeping, lifecycle, LONG_RETRY_CAP_MS, RETRY_CAP_MS, waitUntil } from './steps';

/** How long a directory that does not know the person is asked again. */
const NOT_FOUND_FOR_MS = 24 * 3_600_000;
/** How long a directory that cannot be read is tried. */
const UNREACHABLE_FOR_MS = 7 * 24 * 3_600_000;
/** After this long, tries are at most LONG_RETRY_CAP_MS apart. */
const LONG_AFTER_MS = 3_600_000;

export interface PendingResult {
  state: 'delivered' | 'given-up';
  objectId: string | null;
  /** Each held event with the run that carries it out, or why it was not. */
  events: { eventId: string; type: PendingLifecycleEvent['type']; workflowId: string | null; supersededBy: string | null }[];
  reason: string | null;
}

export async function pendingEvents(input: PendingInput): Promise<PendingResult> {
  const held: PendingLifecycleEvent[] = [...input.events];
  const first = held[0]!;
  const progress: LifecycleProgress = {
    kind: first.type,
    objectId: null,
    eventId: first.eventId,
    effectiveAt: first.effectiveAt,
    phase: 'waiting',
    note: `waiting for the directory to name employeeId ${JSON.stringify(input.employeeId)}`,
    apps: [],
  };
  setHandler(lifecycleProgressQuery, () => progress);
  setHandler(pendingEventSignal, (event) => {
    if (!held.some((e) => e.eventId === event.eventId)) held.push(event);
  });

  const started = Date.now();
  let notFoundSince: number | undefined;
  let objectId: string | null = null;
  let reason = '';
  for (let n = 1; objectId === null; n++) {
    try {
      const found = await lifecycle.resolveEmployee({ employeeId: input.employeeId, state: initialState(first.type) });
      if (found.objectId !== null) objectId = found.objectId;
      else {
        reason = found.reason;
        notFoundSince ??= Date.now();
      }
    } catch (error) {
      reason = `the directory could not be read: ${errorInfoOf(error).message}`;
      notFoundSince = undefined;
    }
    if (objectId !== null) break;
    const giveUpAt = notFoundSince !== undefined ? notFoundSince + NOT_FOUND_FOR_MS : started + UNREACHABLE_FOR_MS;
    const next = Date.now() + stepRetryDelayMs(n, Date.now() - started > LONG_AFTER_MS ? LONG_RETRY_CAP_MS : RETRY_CAP_MS);
    if (next > giveUpAt) return giveUp(reason);
    progress.note = `${reason}; next try at ${new Date(next).toISOString()}`;
    await waitUntil(
      () => next,
      () => false,
    );
  }

  progress.objectId = objectId;
  progress.phase = 'running';
  const delivered: PendingResult['events'] = [];
  // Events that arrive while earlier ones are carried out are carried out too, in their order.
  while (delivered.length < held.length) {
    const event = held[delivered.length]!;
    progress.eventId = event.eventId;
    progress.effectiveAt = event.effectiveAt;
    const outcome = await bookkeeping.deliverEvent({ objectId, employeeId: input.employeeId, event });
    delivered.push({ eventId: event.eventId, type: event.type, ...outcome });
  }
  progress.phase = 'done';
  progress.note = null;
  return { state: 'delivered', objectId, events: delivered, reason: null };

  async function giveUp(why: string): Promise<PendingResult> {
    progress.phase = 'cancelled';
    progress.note = `given up: ${why}`;
    await bookkeeping.sendLifecycleAlert({
      type: 'lifecycle-event-unresolved',
      reason: 'PersonNotResolved',
      objectId: `employee:${input.employeeId}`,
      eventId: first.eventId,
      displayName: null,
      apps: [],
      message: `${held.length} lifecycle event(s) for employeeId ${JSON.stringify(input.employeeId)} were not carried out: ${why}; send them again once the directory names the person`,
    });
    return {
      state: 'given-up',
      objectId: null,
      events: held.map((e) => ({ eventId: e.eventId, type: e.type, workflowId: null, supersededBy: null })),
      reason: why,
    };
  }
}
