/**
 * Persons and their lifecycle: the state HR events put each person in (prehire, active, left)
 * and the history of events received, each once (eventId is unique). A person who has left is
 * out of scope for every app until a rehire.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { LifecycleEventType } from '../lifecycle/events';
import type { PersonState } from '../lifecycle/state';
import { iso, isoOrNull, toDate, type Instant } from './columns';
import type { Database, LifecycleEventsTable, PersonsTable } from './tables';

export interface Person {
  objectId: string;
  employeeId: string | null;
  displayName: string | null;
  state: PersonState;
  /** When the event that set the state took effect. */
  stateEffectiveAt: string | null;
  stateEventId: string | null;
  updatedAt: string;
}

export interface StoredLifecycleEvent {
  eventId: string;
  objectId: string;
  employeeId: string | null;
  type: LifecycleEventType;
  effectiveAt: string;
  /** The workflow the event started or signalled; null when superseded. */
  workflowId: string | null;
  /** The accepted event that made this one stale, if any. */
  supersededBy: string | null;
  receivedAt: string;
}

export type LifecycleEventInput = Omit<StoredLifecycleEvent, 'receivedAt'>;

function toPerson(row: Selectable<PersonsTable>): Person {
  return {
    objectId: row.object_id,
    employeeId: row.employee_id,
    displayName: row.display_name,
    state: row.state,
    stateEffectiveAt: isoOrNull(row.state_effective_at),
    stateEventId: row.state_event_id,
    updatedAt: iso(row.updated_at),
  };
}

function toEvent(row: Selectable<LifecycleEventsTable>): StoredLifecycleEvent {
  return {
    eventId: row.event_id,
    objectId: row.object_id,
    employeeId: row.employee_id,
    type: row.type,
    effectiveAt: iso(row.effective_at),
    workflowId: row.workflow_id,
    supersededBy: row.superseded_by,
    receivedAt: iso(row.received_at),
  };
}

/** The persons repository. */
export function createPersonsRepository(db: Kysely<Database>) {
  return {
    async get(objectId: string): Promise<Person | undefined> {
      const row = await db.selectFrom('persons').selectAll().where('object_id', '=', objectId).executeTakeFirst();
      return row && toPerson(row);
    },

    /**
     * Makes sure the person is known, in `state` when new; an existing person keeps their state
     * and gains an employee id or display name learnt since.
     */
    async ensure(person: {
      objectId: string;
      employeeId?: string | null;
      displayName?: string | null;
      state: PersonState;
    }): Promise<Person> {
      const row = await db
        .insertInto('persons')
        .values({
          object_id: person.objectId,
          employee_id: person.employeeId ?? null,
          display_name: person.displayName ?? null,
          state: person.state,
        })
        .onConflict((oc) =>
          oc.column('object_id').doUpdateSet((eb) => ({
            employee_id: eb.fn.coalesce('excluded.employee_id', 'persons.employee_id'),
            display_name: eb.fn.coalesce('excluded.display_name', 'persons.display_name'),
          })),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toPerson(row);
    },

    /**
     * Puts the person in `state` as of an event effective at `effectiveAt`, unless a change
     * effective later is already recorded (a late run never undoes it). Returns the person as
     * stored, and whether this call changed the state.
     */
    async setState(
      objectId: string,
      state: PersonState,
      event: { eventId: string; effectiveAt: Instant },
    ): Promise<{ person: Person | undefined; changed: boolean }> {
      const at = toDate(event.effectiveAt);
      const row = await db
        .updateTable('persons')
        .set({ state, state_effective_at: at, state_event_id: event.eventId, updated_at: sql`now()` })
        .where('object_id', '=', objectId)
        .where((eb) => eb.or([eb('state_effective_at', 'is', null), eb('state_effective_at', '<=', at)]))
        .returningAll()
        .executeTakeFirst();
      if (row) return { person: toPerson(row), changed: true };
      return { person: await this.get(objectId), changed: false };
    },

    /** Of these users, those who have left (one indexed query; a cycle asks once per page). */
    async leftAmong(objectIds: readonly string[]): Promise<Set<string>> {
      if (objectIds.length === 0) return new Set();
      const rows = await db
        .selectFrom('persons')
        .select('object_id')
        .where('state', '=', 'left')
        .where('object_id', 'in', objectIds)
        .execute();
      return new Set(rows.map((r) => r.object_id));
    },

    /** Everyone who has left, for callers that scope many users at once. */
    async allLeft(): Promise<Set<string>> {
      const rows = await db.selectFrom('persons').select('object_id').where('state', '=', 'left').execute();
      return new Set(rows.map((r) => r.object_id));
    },

    /** The person with this employee id, if the intake has seen them. */
    async byEmployeeId(employeeId: string): Promise<Person | undefined> {
      const row = await db
        .selectFrom('persons')
        .selectAll()
        .where('employee_id', '=', employeeId)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst();
      return row && toPerson(row);
    },

    /**
     * Records an event once. Returns the stored event and whether this call stored it (false:
     * the eventId was known, and the stored event is returned unchanged).
     */
    async recordEvent(event: LifecycleEventInput): Promise<{ event: StoredLifecycleEvent; created: boolean }> {
      const inserted = await db
        .insertInto('lifecycle_events')
        .values({
          event_id: event.eventId,
          object_id: event.objectId,
          employee_id: event.employeeId,
          type: event.type,
          effective_at: toDate(event.effectiveAt),
          workflow_id: event.workflowId,
          superseded_by: event.supersededBy,
        })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { event: toEvent(inserted), created: true };
      return { event: (await this.event(event.eventId))!, created: false };
    },

    /**
     * Moves events recorded under a provisional key (a joiner known by employee id only) to the
     * person's object id, once the directory knows them. Returns how many moved.
     */
    async rekeyEvents(fromKey: string, objectId: string): Promise<number> {
      const result = await db
        .updateTable('lifecycle_events')
        .set({ object_id: objectId })
        .where('object_id', '=', fromKey)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Records how a pending event was carried out once its person was known: its run, or the event that made it stale. */
    async setEventOutcome(eventId: string, outcome: { workflowId: string | null; supersededBy: string | null }): Promise<void> {
      await db
        .updateTable('lifecycle_events')
        .set({ workflow_id: outcome.workflowId, superseded_by: outcome.supersededBy })
        .where('event_id', '=', eventId)
        .execute();
    },

    async event(eventId: string): Promise<StoredLifecycleEvent | undefined> {
      const row = await db.selectFrom('lifecycle_events').selectAll().where('event_id', '=', eventId).executeTakeFirst();
      return row && toEvent(row);
    },

    /** A person's events in the order received. */
    async history(objectId: string): Promise<StoredLifecycleEvent[]> {
      const rows = await db
        .selectFrom('lifecycle_events')
        .selectAll()
        .where('object_id', '=', objectId)
        .orderBy('received_at')
        .orderBy('event_id')
        .execute();
      return rows.map(toEvent);
    },
  };
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
