/**
 * HR lifecycle events as the intake accepts them: a joiner, mover, leaver or rehire of one
 * person, named by Entra object id or employee id, effective at a point in time. Each event is
 * validated on its own, so one bad event never holds back the good ones delivered with it.
 */
import { z } from 'zod';
import { hasNul, isStorableTime, NUL_MESSAGE } from '../config/storable';
import { isObjectId } from '../source/index';

export const EVENT_TYPES = ['joiner', 'mover', 'leaver', 'rehire'] as const;
export type LifecycleEventType = (typeof EVENT_TYPES)[number];

/** An id as the store keeps it: trimmed, 1 to 256 characters, no NUL. */
const storedId = (name: string, messages: { missing?: string; empty: string }) =>
  z
    .string(messages.missing === undefined ? undefined : { message: messages.missing })
    .trim()
    .min(1, messages.empty)
    .max(256, `${name} is at most 256 characters`)
    .refine((value) => !hasNul(value), `${name} ${NUL_MESSAGE}`);

export const lifecycleEventSchema = z.strictObject(
  {
    eventId: storedId('eventId', { missing: 'eventId is required', empty: 'eventId is required' }),
    type: z.enum(EVENT_TYPES, { message: 'type must be one of joiner, mover, leaver, rehire' }),
    person: z
      .strictObject(
        {
          objectId: storedId('objectId', { empty: 'objectId must not be empty (leave it out instead)' })
            .refine(isObjectId, 'objectId must be an Entra object id (a GUID)')
            .optional(),
          employeeId: storedId('employeeId', { empty: 'employeeId must not be empty (leave it out instead)' }).optional(),
        },
        { message: 'person is required' },
      )
      .refine(
        (person) => person.objectId !== undefined || person.employeeId !== undefined,
        'at least one of objectId and employeeId is required',
      ),
    effectiveAt: z.iso
      .datetime({ offset: true, message: 'effectiveAt must be an ISO 8601 date-time with a zone', abort: true })
      .refine((value) => isStorableTime(new Date(value)), 'effectiveAt must be from 0001-01-01 to 9999-12-31'),
  },
  { message: 'an event must be an object' },
);

export type LifecycleEvent = z.output<typeof lifecycleEventSchema>;

/** One problem of a rejected event: the field by its dotted path, and why. */
export interface EventError {
  field: string;
  message: string;
}

export type CheckedEvent =
  | { ok: true; event: LifecycleEvent }
  | {
      ok: false;
      eventId?: string;
      /** The first problem. */
      error: EventError;
      /** Every problem, the first one first. */
      errors: EventError[];
    };

/**
 * Validates one event of a delivery, reporting every problem it has. A rejected event keeps
 * its eventId when it had a usable one, so the sender can tell which event it was.
 *
 * @example
 * checkEvent({ eventId: 'e1', type: 'leaver', person: { employeeId: '4711' }, effectiveAt: '2026-12-01T17:00:00Z' })
 * // { ok: true, event: { ... } }
 */
export function checkEvent(raw: unknown): CheckedEvent {
  const parsed = lifecycleEventSchema.safeParse(raw);
  if (parsed.success) {
    return { ok: true, event: { ...parsed.data, effectiveAt: new Date(parsed.data.effectiveAt).toISOString() } };
  }
  const errors = parsed.error.issues.flatMap((issue): EventError[] => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown field' }));
    return [{ field: at.length ? at.join('.') : '(event)', message: issue.message }];
  });
  const eventId = usableEventId(raw);
  return { ok: false, ...(eventId !== undefined && { eventId }), error: errors[0]!, errors };
}

function usableEventId(raw: unknown): string | undefined {
  const eventId = typeof raw === 'object' && raw !== null ? (raw as { eventId?: unknown }).eventId : undefined;
  if (typeof eventId !== 'string') return undefined;
  const trimmed = eventId.trim();
  return trimmed && trimmed.length <= 256 && !hasNul(trimmed) ? trimmed : undefined;
}
