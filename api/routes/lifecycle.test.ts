import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index';
import type { Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';
import { createLifecycleControl, type LifecycleControl } from '../lifecycle';

const TOKEN = 'admin-token-for-tests-0123456789';
const received: unknown[][] = [];
const lifecycle: LifecycleControl = {
  async submit(events) {
    received.push([...events]);
    return events.map((_, index) => ({ eventId: `e${index}`, workflowId: `person/p${index}/leaver`, status: 'new' as const }));
  },
  async person(objectId) {
    return objectId === 'known'
      ? {
          objectId,
          employeeId: null,
          employeeRef: null,
          displayName: 'Ada',
          state: 'left',
          stateEffectiveAt: null,
          events: [],
          workflows: [],
        }
      : undefined;
  },
  async deliver() {
    throw new Error('not delivered in this test');
  },
};
const deps = { store: {} as Store, jobs: {} as JobControl, adminToken: TOKEN, logger: createLogger({ level: 'silent' }) };

async function call(app: ReturnType<typeof createApi>, method: string, path: string, body?: unknown) {
  const response = await app.request(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('lifecycle routes', () => {
  const app = createApi({ ...deps, lifecycle });

  it('hands every event to the intake, good or bad, and answers 202', async () => {
    const events = [{ eventId: 'a', type: 'leaver', person: { objectId: 'x' }, effectiveAt: '2026-12-01T00:00:00Z' }, { junk: true }];
    const result = await call(app, 'POST', '/lifecycle/events', { events });
    expect(result.status).toBe(202);
    expect(received.at(-1)).toEqual(events);
    expect(result.body.events).toHaveLength(2);
  });

  it.each([
    [{}, 'events'],
    [{ events: [] }, 'events'],
    [{ events: {} }, 'events'],
  ])('answers 400 naming the field for %j', async (body, path) => {
    const result = await call(app, 'POST', '/lifecycle/events', body);
    expect(result.status).toBe(400);
    expect(result.body.error.fields[0].path).toBe(path);
  });

  it('shows a known person and 404 for anyone else', async () => {
    expect((await call(app, 'GET', '/lifecycle/persons/known')).body).toMatchObject({ objectId: 'known', state: 'left' });
    expect((await call(app, 'GET', '/lifecycle/persons/unknown')).status).toBe(404);
  });

  it('answers 503 where the process has no intake', async () => {
    expect((await call(createApi(deps), 'POST', '/lifecycle/events', { events: [{}] })).status).toBe(503);
  });
});

describe('lifecycle intake answers', () => {
  // The intake's own checks: an event that fails them never reaches Temporal, the store or the directory.
  const intake = createLifecycleControl({
    client: {} as Client,
    store: {} as Store,
    directory: async () => undefined,
    employeeRef: (employeeId) => `ref-of-${employeeId}`,
    logger: createLogger({ level: 'silent' }),
  });
  const app = createApi({ ...deps, lifecycle: intake });

  it('answers 400 for {"events":[null]}, answering the event', async () => {
    const result = await call(app, 'POST', '/lifecycle/events', { events: [null] });
    expect(result.status).toBe(400);
    expect(result.body.events).toEqual([
      {
        index: 0,
        error: { field: '(event)', message: 'an event must be an object' },
        errors: [{ field: '(event)', message: 'an event must be an object' }],
      },
    ]);
    expect(result.body.error).toMatchObject({
      code: 'ValidationFailed',
      fields: [{ path: 'events.0', message: 'an event must be an object' }],
    });
  });

  it('names every problem of every event when no event is valid, and answers each event on its own', async () => {
    const events = [
      { eventId: 'e1', type: 'promotion', person: { objectId: 'jdoe' }, effectiveAt: 'soon', source: 'hr' },
      { eventId: 'e2\u0000', type: 'leaver', person: { employeeId: '' }, effectiveAt: '0000-01-01T00:00:00Z' },
    ];
    const result = await call(app, 'POST', '/lifecycle/events', { events });
    expect(result.status).toBe(400);
    expect(result.body.error.fields).toEqual([
      { path: 'events.0.type', message: 'type must be one of joiner, mover, leaver, rehire' },
      { path: 'events.0.person.objectId', message: 'objectId must be an Entra object id (a GUID)' },
      { path: 'events.0.effectiveAt', message: 'effectiveAt must be an ISO 8601 date-time with a zone' },
      { path: 'events.0.source', message: 'unknown field' },
      { path: 'events.1.eventId', message: 'eventId must not contain the NUL character (U+0000)' },
      { path: 'events.1.person.employeeId', message: 'employeeId must not be empty (leave it out instead)' },
      { path: 'events.1.effectiveAt', message: 'effectiveAt must be from 0001-01-01 to 9999-12-31' },
    ]);
    expect(result.body.error.message).toMatch(/^no event was accepted: events\.0\.type: /);
    // Each event's answer names its first problem and lists them all.
    const asFields = (fields: { path: string; message: string }[], prefix: string) =>
      fields.filter((f) => f.path.startsWith(prefix)).map((f) => ({ field: f.path.slice(prefix.length), message: f.message }));
    expect(result.body.events).toEqual([
      {
        eventId: 'e1',
        index: 0,
        error: { field: 'type', message: 'type must be one of joiner, mover, leaver, rehire' },
        errors: asFields(result.body.error.fields, 'events.0.'),
      },
      {
        index: 1,
        error: { field: 'eventId', message: 'eventId must not contain the NUL character (U+0000)' },
        errors: asFields(result.body.error.fields, 'events.1.'),
      },
    ]);
    expect(result.body.events[0].errors).toHaveLength(4);
  });

  it('refuses an unknown field next to the events', async () => {
    const result = await call(app, 'POST', '/lifecycle/events', { events: [{}], dryRun: true });
    expect(result.status).toBe(400);
    expect(result.body.error.fields).toEqual([{ path: 'dryRun', message: 'unknown field' }]);
  });
});
