/**
 * HR lifecycle events as the intake accepts them: a joiner, mover, leaver or rehire of one
 * person, named by Entra object id or employee id, effective at a point in time. Each event is
 * validated on its own, so one bad event never holds back the good ones delivered with it.
 */
import { z } from 'zod';

export const EVENT_TYPES = ['joiner', 'mover', 'leaver', 'rehire'] as const;
export type LifecycleEventType = (typeof EVENT_TYPES)[number];

export const lifecycleEventSchema = z.object({
  eventId: z.string({ message: 'eventId is required' }).trim().min(1, 'eventId is required').max(256, 'eventId is at most 256 characters'),
  type: z.enum(EVENT_TYPES, { message: 'type must be one of joiner, mover, leaver, rehire' }),
  person: z
    .object(
      {
        objectId: z.string().trim().min(1, 'objectId must not be empty (leave it out instead)').max(256).optional(),
        employeeId: z.string().trim().min(1, 'employeeId must not be empty (leave it out instead)').max(256).optional(),
      },
      { message: 'person is required' },
    )
    .refine(
      (person) => person.objectId !== undefined || person.employeeId !== undefined,
      'at least one of objectId and employeeId is required',
    ),
  effectiveAt: z.iso.datetime({ offset: true, message: 'effectiveAt must be an ISO 8601 date-time with a zone' }),
});

export type LifecycleEvent = z.output<typeof lifecycleEventSchema>;

/** The first problem of a rejected event: the field by its dotted path, and why. */
export interface EventError {
  field: string;
  message: string;
}

export type CheckedEvent = { ok: true; event: LifecycleEvent } | { ok: false; eventId?: string; error: EventError };

/**
 * Validates one event of a delivery. A rejected event keeps its eventId when it had a usable
 * one, so the sender can tell which event it was.
 *
 * @example
 * checkEvent({ eventId: 'e1', type: 'leaver', person: { employeeId: '4711' }, effectiveAt: '2026-12-01T17:00:00Z' })
 * // { ok: true, event: { ... } }
 */
export function checkEvent(raw: unknown): CheckedEvent {
  const parsed = lifecycleEventSchema.safeParse(raw);
  if (parsed.success) return { ok: true, event: { ...parsed.data, effectiveAt: new Date(parsed.data.effectiveAt).toISOString() } };
  const [issue] = parsed.error.issues;
  const field = issue && issue.path.length ? issue.path.map(String).join('.') : '(event)';
  const eventId =
    typeof (raw as { eventId?: unknown })?.eventId === 'string' && (raw as { eventId: string }).eventId.trim()
      ? (raw as { eventId: string }).eventId.trim()
      : undefined;
  return { ok: false, ...(eventId !== undefined && { eventId }), error: { field, message: issue?.message ?? 'invalid event' } };
}
