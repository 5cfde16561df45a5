import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index';
import type { Store } from '../../src/store/index';
import { createApi } from '../app';
import type { JobControl } from '../jobs';
import type { LifecycleControl } from '../lifecycle';

const TOKEN = 'admin-token-for-tests-0123456789';
const received: unknown[][] = [];
const lifecycle: LifecycleControl = {
  async submit(events) {
    received.push([...events]);
    return events.map((_, index) => ({ eventId: `e${index}`, workflowId: `person/p${index}/leaver`, status: 'new' as const }));
  },
  async person(objectId) {
    return objectId === 'known'
      ? { objectId, employeeId: null, displayName: 'Ada', state: 'left', stateEffectiveAt: null, events: [], workflows: [] }
      : undefined;
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
