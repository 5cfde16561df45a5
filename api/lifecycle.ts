/**
 * The lifecycle intake and view over Temporal: an HR event is checked, its person resolved
 * (an employee id through Graph), recorded once by eventId, and carried out by the person's
 * workflow (`person/{objectId}/{type}`), started or signalled. Inputs carry ids and dates only;
 * what Temporal shows in clear (workflow ids, search attributes) names an employee id only by its
 * opaque reference, and no run carries a display name.
 */
import { WorkflowNotFoundError, type Client, type SignalDefinition } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { DirectoryPerson, PeopleDirectory } from '../src/graph/index';
import type { DeliveredEvent, PendingLifecycleEvent } from '../src/lifecycle/contract';
import { employeeKey } from '../src/lifecycle/directory';
import { checkEvent, initialState, supersededBy, type EventError, type LifecycleEvent } from '../src/lifecycle/index';
import type { Logger } from '../src/log/index';
import type { Person, Store, StoredLifecycleEvent } from '../src/store/index';
import {
  cancelHireSignal,
  EMPLOYEE_ID,
  employeeWorkflowId,
  EVENT_TYPE,
  legacyEmployeeWorkflowId,
  lifecycleProgressQuery,
  pendingEventSignal,
  PERSON_ID,
  personWorkflowId,
  reevaluateSignal,
  rehireSignal,
  setEffectiveAtSignal,
  type JoinerInput,
  type LifecycleInput,
  type LifecycleProgress,
  type PendingInput,
} from '../workflows/lifecycle/definitions';
import { TASK_QUEUE } from '../workflows/ids';
import { joiner, leaver, mover, pendingEvents, rehire } from '../workflows/lifecycle/index';

/** The answer for one event of a delivery. */
export type EventAnswer =
  /** `pending`: accepted, and held until the directory can be read to name the person. */
  | { eventId: string; workflowId: string | null; status: 'new' | 'repeat' | 'pending'; supersededBy?: string }
  | {
      eventId?: string;
      index: number;
      error: EventError;
      /** Every problem of the event, the first one being `error`. */ errors?: EventError[];
    };

export interface PersonView {
  objectId: string;
  employeeId: string | null;
  /** The employee id's opaque reference, as Temporal's workflow ids and search attributes show it. */
  employeeRef: string | null;
  displayName: string | null;
  state: Person['state'];
  stateEffectiveAt: string | null;
  events: StoredLifecycleEvent[];
  /** The person's runs: a running one with its progress (queried), a finished one with its result. */
  workflows: { workflowId: string; type: string; status: string; progress: LifecycleProgress | null; result: unknown }[];
}

export interface LifecycleControl {
  /** Accepts a delivery of events; each is answered on its own (see EventAnswer). */
  submit(events: readonly unknown[]): Promise<EventAnswer[]>;
  /** The person's state, events and workflows with their progress; undefined when unknown. */
  person(objectId: string): Promise<PersonView | undefined>;
  /** Carries out an event held while the directory was away, now that it names the person (see pendingEvents). */
  deliver(input: { objectId: string; employeeId: string; event: PendingLifecycleEvent }): Promise<DeliveredEvent>;
}

export interface LifecycleControlOptions {
  client: Client;
  store: Store;
  taskQueue?: string;
  /** Where employee ids are resolved; undefined when no app (no tenant) is configured yet. */
  directory: () => Promise<PeopleDirectory | undefined>;
  /** An employee id's opaque reference (employeeRefs of the secret key). */
  employeeRef: (employeeId: string) => string;
  logger: Logger;
}

class EventRejected extends Error {
  constructor(readonly error: EventError) {
    super(error.message);
  }
}

/** The directory could not be asked for an employee id (unreachable, refusing the credentials, failing). */
class DirectoryUnavailable extends Error {
  constructor(
    readonly employeeId: string,
    cause: unknown,
  ) {
    super(`the directory could not be read: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** The directory has no user with the employee id (yet). */
class NotInDirectory extends EventRejected {
  constructor(readonly employeeId: string) {
    super({ field: 'person.employeeId', message: `no user with employeeId ${JSON.stringify(employeeId)} in the directory` });
  }
}

export function createLifecycleControl(options: LifecycleControlOptions): LifecycleControl {
  const { client, store, logger, employeeRef } = options;
  const taskQueue = options.taskQueue ?? TASK_QUEUE;

  /** Sends a signal to the person's run of a kind if one is running. */
  async function signalIfRunning<T extends unknown[]>(workflowId: string, signal: SignalDefinition<T>, ...args: T): Promise<boolean> {
    try {
      await client.workflow.getHandle(workflowId).signal(signal, ...args);
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Signals the run of a person known by employee id, under its opaque id or, started before
   * ids were opaque, its old one; the id of the run signalled, or undefined when none runs.
   */
  async function signalEmployeeRun<T extends unknown[]>(
    employeeId: string,
    kind: 'joiner' | 'pending',
    signal: SignalDefinition<T>,
    ...args: T
  ): Promise<string | undefined> {
    for (const workflowId of [employeeWorkflowId(employeeRef(employeeId), kind), legacyEmployeeWorkflowId(employeeId, kind)])
      if (await signalIfRunning(workflowId, signal, ...args)) return workflowId;
    return undefined;
  }

  /**
   * Signals the run of a person known by employee id that was started under its old id while it
   * runs, or else signals or starts it under its opaque id (`signalWithStart`); its id.
   */
  async function signalOrStartEmployeeRun<T extends unknown[]>(
    employeeId: string,
    kind: 'joiner' | 'pending',
    signal: SignalDefinition<T>,
    args: T,
    signalWithStart: (workflowId: string) => Promise<unknown>,
  ): Promise<string> {
    const legacyId = legacyEmployeeWorkflowId(employeeId, kind);
    if (await signalIfRunning(legacyId, signal, ...args)) return legacyId;
    const workflowId = employeeWorkflowId(employeeRef(employeeId), kind);
    await signalWithStart(workflowId);
    return workflowId;
  }

  /** The person an event names: its object id as given, or the one user Graph has with that employee id. */
  async function resolve(event: LifecycleEvent): Promise<{ objectId: string; employeeId: string | null; displayName: string | null }> {
    const { objectId, employeeId } = event.person;
    if (objectId !== undefined) {
      const known = await store.persons.get(objectId);
      if (known?.displayName) return { objectId, employeeId: employeeId ?? known.employeeId, displayName: known.displayName };
      const found = await lookUp((directory) => directory.get(objectId)).catch((error: unknown) => {
        // The name is for operators only: an unreachable directory does not hold an event back.
        logger.warn(
          { objectId, err: { message: error instanceof Error ? error.message : String(error) } },
          'reading the person from the directory failed',
        );
        return undefined;
      });
      return {
        objectId,
        employeeId: employeeId ?? found?.employeeId ?? known?.employeeId ?? null,
        displayName: found?.displayName ?? null,
      };
    }
    const known = await store.persons.byEmployeeId(employeeId!);
    if (known) return { objectId: known.objectId, employeeId: employeeId!, displayName: known.displayName };
    let found: DirectoryPerson[];
    try {
      found = (await lookUp((directory) => directory.findByEmployeeId(employeeId!))) ?? [];
    } catch (error) {
      throw new DirectoryUnavailable(employeeId!, error);
    }
    if (found.length === 0) throw new NotInDirectory(employeeId!);
    if (found.length > 1)
      throw new EventRejected({
        field: 'person.employeeId',
        message: `${found.length} users have employeeId ${JSON.stringify(employeeId)}; name the person by objectId`,
      });
    return { objectId: found[0]!.objectId, employeeId: employeeId!, displayName: found[0]!.displayName };
  }

  async function lookUp<T>(read: (directory: PeopleDirectory) => Promise<T>): Promise<T | undefined> {
    const directory = await options.directory();
    return directory ? read(directory) : undefined;
  }

  /** Starts the person's run of the event's kind, or signals it when it runs already. */
  async function carryOut(
    event: LifecycleEvent,
    person: { objectId: string; employeeId: string | null; displayName: string | null },
  ): Promise<string> {
    const { objectId } = person;
    const input: LifecycleInput = { objectId, eventId: event.eventId, effectiveAt: event.effectiveAt };
    const workflowId = personWorkflowId(objectId, event.type);
    const searchAttributes: SearchAttributePair[] = [
      { key: PERSON_ID, value: objectId },
      { key: EVENT_TYPE, value: event.type },
      ...(person.employeeId ? [{ key: EMPLOYEE_ID, value: employeeRef(person.employeeId) }] : []),
    ];
    const start = { workflowId, taskQueue, args: [input] as [LifecycleInput], typedSearchAttributes: searchAttributes };
    const moved = { eventId: event.eventId, effectiveAt: event.effectiveAt };
    switch (event.type) {
      case 'joiner':
        await client.workflow.signalWithStart(joiner, { ...start, signal: setEffectiveAtSignal, signalArgs: [moved] });
        break;
      case 'rehire':
        // Pending deletions of the leave stop now; the rehire run re-enables the accounts.
        await signalIfRunning(personWorkflowId(objectId, 'leaver'), rehireSignal, { eventId: event.eventId });
        await client.workflow.signalWithStart(rehire, { ...start, signal: setEffectiveAtSignal, signalArgs: [moved] });
        break;
      case 'leaver':
        // A leave before the start is a cancelled hire: the waiting joiner stops, and the leaver
        // disables whatever the lead time created.
        await signalIfRunning(personWorkflowId(objectId, 'joiner'), cancelHireSignal, { eventId: event.eventId, remove: false });
        await signalIfRunning(personWorkflowId(objectId, 'rehire'), cancelHireSignal, { eventId: event.eventId, remove: false });
        if (person.employeeId)
          await signalEmployeeRun(person.employeeId, 'joiner', cancelHireSignal, { eventId: event.eventId, remove: false });
        await client.workflow.signalWithStart(leaver, { ...start, signal: setEffectiveAtSignal, signalArgs: [moved] });
        break;
      case 'mover':
        await client.workflow.signalWithStart(mover, {
          ...start,
          signal: reevaluateSignal,
          signalArgs: [{ eventId: event.eventId }],
        });
        break;
    }
    return workflowId;
  }

  async function accept(raw: unknown, index: number): Promise<EventAnswer> {
    const checked = checkEvent(raw);
    if (!checked.ok)
      return { ...(checked.eventId !== undefined && { eventId: checked.eventId }), index, error: checked.error, errors: checked.errors };
    const { event } = checked;
    const repeat = (stored: StoredLifecycleEvent): EventAnswer => ({
      eventId: stored.eventId,
      workflowId: stored.workflowId,
      status: 'repeat',
      ...(stored.supersededBy && { supersededBy: stored.supersededBy }),
    });
    const known = await store.persons.event(event.eventId);
    if (known) return repeat(known);
    try {
      return await acceptResolved(event, repeat);
    } catch (error) {
      if (error instanceof NotInDirectory || error instanceof DirectoryUnavailable) {
        const waiting = await acceptUnresolved(event, error.employeeId, repeat);
        if (waiting) return waiting;
      }
      if (error instanceof DirectoryUnavailable) {
        logger.warn(
          { eventId: event.eventId, type: event.type, err: { message: error.message } },
          'lifecycle event held until the directory can be read',
        );
        return acceptPending(event, error.employeeId, repeat);
      }
      if (error instanceof EventRejected) return { eventId: event.eventId, index, error: error.error };
      throw error;
    }
  }

  /**
   * An event by employee id while the directory cannot be read: held by the person's pending
   * run, which looks them up with growing gaps and then carries out its events in order.
   */
  async function acceptPending(
    event: LifecycleEvent,
    employeeId: string,
    repeat: (stored: StoredLifecycleEvent) => EventAnswer,
  ): Promise<EventAnswer> {
    const held: PendingLifecycleEvent = { eventId: event.eventId, type: event.type, effectiveAt: event.effectiveAt };
    const workflowId = await signalOrStartEmployeeRun(employeeId, 'pending', pendingEventSignal, [held], (id) =>
      client.workflow.signalWithStart(pendingEvents, {
        workflowId: id,
        taskQueue,
        args: [{ employeeId, events: [held] }] as [PendingInput],
        typedSearchAttributes: [
          { key: EMPLOYEE_ID, value: employeeRef(employeeId) },
          { key: EVENT_TYPE, value: event.type },
        ],
        signal: pendingEventSignal,
        signalArgs: [held],
      }),
    );
    const key = employeeKey(employeeId);
    const recorded = await store.persons.recordEvent({ ...event, objectId: key, employeeId, workflowId, supersededBy: null });
    if (!recorded.created) return repeat(recorded.event);
    logger.info({ eventId: event.eventId, type: event.type, workflowId }, 'lifecycle event accepted, pending the directory');
    return { eventId: event.eventId, workflowId, status: 'pending' };
  }

  /**
   * An event for someone the directory does not know yet, by employee id. A joiner runs under
   * the employee id and looks them up from its first due time; a leaver cancels such a joiner
   * (a hire cancelled before the account existed). Anything else is rejected (undefined).
   */
  async function acceptUnresolved(
    event: LifecycleEvent,
    employeeId: string,
    repeat: (stored: StoredLifecycleEvent) => EventAnswer,
  ): Promise<EventAnswer | undefined> {
    const key = employeeKey(employeeId);
    let joinerId: string | undefined;
    if (event.type === 'joiner') {
      const input: JoinerInput = { objectId: null, employeeId, eventId: event.eventId, effectiveAt: event.effectiveAt };
      const moved = { eventId: event.eventId, effectiveAt: event.effectiveAt };
      joinerId = await signalOrStartEmployeeRun(employeeId, 'joiner', setEffectiveAtSignal, [moved], (id) =>
        client.workflow.signalWithStart(joiner, {
          workflowId: id,
          taskQueue,
          args: [input] as [JoinerInput],
          typedSearchAttributes: [
            { key: EMPLOYEE_ID, value: employeeRef(employeeId) },
            { key: EVENT_TYPE, value: 'joiner' },
          ],
          signal: setEffectiveAtSignal,
          signalArgs: [moved],
        }),
      );
    } else if (event.type === 'leaver') {
      joinerId = await signalEmployeeRun(employeeId, 'joiner', cancelHireSignal, { eventId: event.eventId, remove: true });
    }
    if (joinerId === undefined) return undefined;
    const recorded = await store.persons.recordEvent({ ...event, objectId: key, employeeId, workflowId: joinerId, supersededBy: null });
    if (!recorded.created) return repeat(recorded.event);
    logger.info(
      { eventId: event.eventId, type: event.type, workflowId: joinerId },
      'lifecycle event accepted for a person the directory does not know yet',
    );
    return { eventId: event.eventId, workflowId: joinerId, status: 'new' };
  }

  /** An event for a person known by object id, or by an employee id the store or the directory knows. */
  async function acceptResolved(event: LifecycleEvent, repeat: (stored: StoredLifecycleEvent) => EventAnswer): Promise<EventAnswer> {
    const person = await resolve(event);
    const accepted = (await store.persons.history(person.objectId)).filter((e) => e.workflowId !== null && e.supersededBy === null);
    const stale = supersededBy(accepted, event);
    await store.persons.ensure({ ...person, state: initialState(event.type) });
    // The run first, then the record: a delivery repeated after a crash in between starts or
    // signals the same run again, which changes nothing.
    const workflowId = stale ? null : await carryOut(event, person);
    const recorded = await store.persons.recordEvent({ ...event, ...person, workflowId, supersededBy: stale?.eventId ?? null });
    if (!recorded.created) return repeat(recorded.event);
    logger.info(
      { eventId: event.eventId, type: event.type, objectId: person.objectId, workflowId, supersededBy: stale?.eventId },
      'lifecycle event accepted',
    );
    return { eventId: event.eventId, workflowId, status: 'new', ...(stale && { supersededBy: stale.eventId }) };
  }

  return {
    async deliver({ objectId, employeeId, event }) {
      const stored = await store.persons.event(event.eventId);
      const pendingIds = [employeeWorkflowId(employeeRef(employeeId), 'pending'), legacyEmployeeWorkflowId(employeeId, 'pending')];
      const pending = (workflowId: string | null) => workflowId !== null && pendingIds.includes(workflowId);
      // Delivered already (a retried activity): the run it started is the answer.
      if (stored && (stored.supersededBy !== null || (stored.workflowId !== null && !pending(stored.workflowId))))
        return { workflowId: stored.workflowId, supersededBy: stored.supersededBy };
      const full: LifecycleEvent = { ...event, person: { objectId, employeeId } };
      const person = await resolve(full);
      const accepted = (await store.persons.history(person.objectId)).filter(
        (e) => e.eventId !== event.eventId && e.workflowId !== null && !pending(e.workflowId) && e.supersededBy === null,
      );
      const stale = supersededBy(accepted, event);
      await store.persons.ensure({ ...person, state: initialState(event.type) });
      const workflowId = stale ? null : await carryOut(full, person);
      const outcome = { workflowId, supersededBy: stale?.eventId ?? null };
      await store.persons.setEventOutcome(event.eventId, outcome);
      logger.info(
        { eventId: event.eventId, type: event.type, objectId: person.objectId, ...outcome },
        'pending lifecycle event carried out',
      );
      return outcome;
    },

    async submit(events) {
      const answers: EventAnswer[] = [];
      // In the order delivered: two events for one person must not race.
      for (const [index, raw] of events.entries()) answers.push(await accept(raw, index));
      return answers;
    },

    async person(objectId) {
      const person = await store.persons.get(objectId);
      if (!person) return undefined;
      const events = await store.persons.history(objectId);
      const ids = [...new Set(events.flatMap((e) => (e.workflowId ? [e.workflowId] : [])))];
      const workflows = await Promise.all(
        ids.map(async (workflowId) => {
          const handle = client.workflow.getHandle(workflowId);
          try {
            const described = await handle.describe();
            const running = described.status.name === 'RUNNING';
            return {
              workflowId,
              type: described.type,
              status: described.status.name,
              progress: running ? await handle.query(lifecycleProgressQuery) : null,
              // A finished run's result holds each app's last progress.
              result: running || described.status.name !== 'COMPLETED' ? null : await handle.result(),
            };
          } catch (error) {
            if (error instanceof WorkflowNotFoundError)
              return { workflowId, type: workflowId.split('/').at(-1)!, status: 'NOT_FOUND', progress: null, result: null };
            throw error;
          }
        }),
      );
      return {
        objectId,
        employeeId: person.employeeId,
        employeeRef: person.employeeId === null ? null : employeeRef(person.employeeId),
        displayName: person.displayName,
        state: person.state,
        stateEffectiveAt: person.stateEffectiveAt,
        events,
        workflows,
      };
    },
  };
}
