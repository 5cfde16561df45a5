/**
 * HR lifecycle events: `POST /lifecycle/events` takes joiners, movers, leavers and rehires (one
 * or many; each answered on its own, a repeated eventId as a repeat), and
 * `GET /lifecycle/persons/{objectId}` shows a person's state, events and runs with their progress.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { checkEvent, EVENT_TYPES, type EventError } from '../../src/lifecycle/index';
import { asJson, noteAudit } from '../audit';
import type { ApiDeps } from '../deps';
import { ApiError, invalid, notFound, routeGroup, type FieldError } from '../errors';
import type { LifecycleControl } from '../lifecycle';
import { errorSchema, paramText } from '../schemas';

export interface LifecycleDeps {
  lifecycle?: LifecycleControl;
}

const bodySchema = z
  .strictObject({
    // Each event is checked on its own, so one bad event does not hold back the others.
    events: z
      .array(z.unknown().openapi({ type: 'object' }), { message: 'events must be an array' })
      .min(1, 'events must hold at least one event')
      .max(1000, 'events holds at most 1000 events'),
  })
  .openapi('LifecycleEvents', {
    example: {
      events: [
        { eventId: 'hr-2026-000417', type: 'leaver', person: { employeeId: '100417' }, effectiveAt: '2026-12-01T17:00:00Z' },
        {
          eventId: 'hr-2026-000418',
          type: 'joiner',
          person: { objectId: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11' },
          effectiveAt: '2027-01-04T08:00:00+01:00',
        },
      ],
    },
  });

const answerSchema = z
  .union([
    z.object({
      eventId: z.string(),
      workflowId: z.string().nullable(),
      status: z.enum(['new', 'repeat', 'pending']).openapi({
        description:
          '`pending`: named by employee id while the directory could not be read; held by `workflowId`, which looks the person up with growing gaps and then carries the event out',
      }),
      supersededBy: z
        .string()
        .optional()
        .openapi({ description: 'An event accepted earlier that makes this late one stale: nothing was started' }),
    }),
    z.object({
      eventId: z.string().optional(),
      index: z.number(),
      error: z.object({ field: z.string(), message: z.string() }),
      errors: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'Every problem of the event; the first one is `error`' }),
    }),
  ])
  .openapi('LifecycleEventAnswer');

const rejectedSchema = errorSchema
  .extend({ events: z.array(answerSchema) })
  .openapi('LifecycleEventsRejected', { description: 'No event of the delivery was accepted' });

const appProgressSchema = z.object({
  appId: z.string(),
  displayName: z.string(),
  step: z.string(),
  state: z.enum(['waiting', 'pending', 'done', 'failed', 'cancelled']),
  dueAt: z.string().nullable(),
  attempts: z.number(),
  action: z.string().nullable(),
  status: z.string().nullable(),
  reason: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string(), detail: z.string().optional() }).nullable(),
  nextRetryAt: z.string().nullable(),
});

const personSchema = z
  .object({
    objectId: z.string(),
    employeeId: z.string().nullable(),
    employeeRef: z
      .string()
      .nullable()
      .openapi({ description: "The employee id's opaque reference: what `ScimflowEmployeeId` and workflow ids show in Temporal" }),
    displayName: z.string().nullable(),
    state: z.enum(['prehire', 'active', 'left']),
    stateEffectiveAt: z.string().nullable(),
    events: z.array(
      z.object({
        eventId: z.string(),
        type: z.enum(EVENT_TYPES),
        effectiveAt: z.string(),
        workflowId: z.string().nullable(),
        supersededBy: z.string().nullable(),
        receivedAt: z.string(),
      }),
    ),
    workflows: z.array(
      z.object({
        workflowId: z.string(),
        type: z.string(),
        status: z.string(),
        progress: z
          .object({
            kind: z.string(),
            eventId: z.string(),
            effectiveAt: z.string(),
            phase: z.string(),
            note: z.string().nullable(),
            apps: z.array(appProgressSchema),
          })
          .nullable(),
        result: z.unknown(),
      }),
    ),
  })
  .openapi('LifecyclePerson');

/**
 * Every problem of a rejected event as field errors of the body (`events.2.person.objectId`):
 * what is wrong with the event itself, else why the intake turned it down (an unknown employee).
 */
function problems(raw: unknown, answer: { index: number; error: EventError }): FieldError[] {
  const checked = checkEvent(raw);
  const errors = checked.ok ? [answer.error] : checked.errors;
  return errors.map(({ field, message }) => ({
    path: field === '(event)' ? `events.${answer.index}` : `events.${answer.index}.${field}`,
    message,
  }));
}

function control(deps: LifecycleDeps): LifecycleControl {
  if (!deps.lifecycle) throw new ApiError(503, 'Unavailable', 'lifecycle events are not available in this process');
  return deps.lifecycle;
}

export function lifecycleRoutes(deps: ApiDeps & LifecycleDeps) {
  const app = routeGroup();
  app.openapi(
    createRoute({
      method: 'post',
      path: '/lifecycle/events',
      summary: 'Accept HR lifecycle events (joiner, mover, leaver, rehire)',
      request: { body: { content: { 'application/json': { schema: bodySchema } }, required: true } },
      responses: {
        202: {
          content: { 'application/json': { schema: z.object({ events: z.array(answerSchema) }) } },
          description: 'Per event: its workflow and whether it was new or a repeat, or why it was rejected',
        },
        400: {
          content: { 'application/json': { schema: z.union([rejectedSchema, errorSchema]) } },
          description:
            'No event was accepted: every problem of every event named by its path (`events.1.type`), and each event answered as in a 202; or a body that is not a list of events',
        },
      },
    }),
    async (c) => {
      const { events } = c.req.valid('json');
      const answers = await control(deps).submit(events);
      noteAudit(c, {
        detail: asJson({
          events: answers.map((answer) =>
            'error' in answer ? { index: answer.index, rejected: true } : { eventId: answer.eventId, status: answer.status },
          ),
        }),
      });
      if (answers.some((answer) => !('error' in answer))) return c.json({ events: answers }, 202);
      const rejected = invalid(answers.flatMap((answer) => ('error' in answer ? problems(events[answer.index], answer) : [])));
      const body = rejected.body();
      return c.json({ ...body, error: { ...body.error, message: `no event was accepted: ${rejected.message}` }, events: answers }, 400);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/lifecycle/persons/{objectId}',
      summary: "A person's lifecycle state, events, and runs with their progress per app",
      request: {
        params: z.object({
          objectId: paramText()
            .min(1)
            .openapi({ param: { name: 'objectId', in: 'path' }, example: '9d1b6f0e-7c1a-4a52-9a43-7d8f1f0c2b11' }),
        }),
      },
      responses: {
        200: { content: { 'application/json': { schema: personSchema } }, description: 'The person' },
        404: { content: { 'application/json': { schema: errorSchema } }, description: 'No lifecycle event named this person' },
      },
    }),
    async (c) => {
      const { objectId } = c.req.valid('param');
      const person = await control(deps).person(objectId);
      if (!person) throw notFound('the person');
      return c.json(person, 200);
    },
  );
  return app;
}
