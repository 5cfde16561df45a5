/** Persons and lifecycle events on every backend: PGlite in memory and PostgreSQL. */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database';
import { openDatabase, type Store } from './index';

const backends = [
  { name: 'PGlite in memory', database: async () => undefined },
  { name: 'PostgreSQL', database: () => createTestDatabase('scimflow_persons') },
];

describe.each(backends)('persons on $name', (backend) => {
  let store: Store;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await backend.database();
    store = await openDatabase({ ...(database && { url: database.url }), secretKey: randomBytes(32) });
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const id = () => randomUUID();

  it('knows a person once, keeping their state and learning their names', async () => {
    const objectId = id();
    expect(await store.persons.ensure({ objectId, state: 'prehire' })).toMatchObject({
      objectId,
      state: 'prehire',
      employeeId: null,
      displayName: null,
    });
    const again = await store.persons.ensure({ objectId, employeeId: '4711', displayName: 'Ada Lovelace', state: 'active' });
    expect(again).toMatchObject({ state: 'prehire', employeeId: '4711', displayName: 'Ada Lovelace' });
    await store.persons.ensure({ objectId, state: 'active' });
    expect(await store.persons.get(objectId)).toMatchObject({ employeeId: '4711', displayName: 'Ada Lovelace' });
    expect((await store.persons.byEmployeeId('4711'))?.objectId).toBe(objectId);
  });

  it('never lets a change effective earlier replace one effective later', async () => {
    const objectId = id();
    await store.persons.ensure({ objectId, state: 'active' });
    const left = await store.persons.setState(objectId, 'left', { eventId: 'l', effectiveAt: '2026-03-01T00:00:00Z' });
    expect(left).toMatchObject({
      changed: true,
      person: { state: 'left', stateEventId: 'l', stateEffectiveAt: '2026-03-01T00:00:00.000Z' },
    });
    const late = await store.persons.setState(objectId, 'active', { eventId: 'j', effectiveAt: '2026-01-01T00:00:00Z' });
    expect(late).toMatchObject({ changed: false, person: { state: 'left', stateEventId: 'l' } });
    const rehired = await store.persons.setState(objectId, 'active', { eventId: 'r', effectiveAt: '2026-06-01T00:00:00Z' });
    expect(rehired).toMatchObject({ changed: true, person: { state: 'active' } });
    expect(await store.persons.setState(id(), 'left', { eventId: 'x', effectiveAt: '2026-01-01T00:00:00Z' })).toEqual({
      person: undefined,
      changed: false,
    });
  });

  it('tells which users have left, in one query', async () => {
    const [a, b, c] = [id(), id(), id()];
    for (const objectId of [a, b, c]) await store.persons.ensure({ objectId, state: 'active' });
    await store.persons.setState(b, 'left', { eventId: 'l', effectiveAt: new Date() });
    expect(await store.persons.leftAmong([a, b, c, id()])).toEqual(new Set([b]));
    expect(await store.persons.leftAmong([])).toEqual(new Set());
    expect((await store.persons.allLeft()).has(b)).toBe(true);
  });

  it('records an event once and answers a repeat with the stored event', async () => {
    const objectId = id();
    const eventId = `evt-${id()}`;
    const event = {
      eventId,
      objectId,
      employeeId: '42',
      type: 'leaver' as const,
      effectiveAt: '2026-12-01T17:00:00Z',
      workflowId: `person/${objectId}/leaver`,
      supersededBy: null,
    };
    const first = await store.persons.recordEvent(event);
    expect(first).toMatchObject({
      created: true,
      event: { eventId, type: 'leaver', effectiveAt: '2026-12-01T17:00:00.000Z', workflowId: `person/${objectId}/leaver` },
    });
    const repeat = await store.persons.recordEvent({ ...event, type: 'joiner', workflowId: 'other' });
    expect(repeat).toEqual({ created: false, event: first.event });
    await store.persons.recordEvent({ ...event, eventId: `${eventId}-2`, type: 'rehire', workflowId: null, supersededBy: eventId });
    await store.persons.recordEvent({
      ...event,
      eventId: `${eventId}-early`,
      objectId: 'employee:42',
      type: 'joiner',
      workflowId: 'person/employee:42/joiner',
    });
    expect(await store.persons.rekeyEvents('employee:42', objectId)).toBe(1);
    expect((await store.persons.history(objectId)).map((e) => [e.eventId, e.type, e.supersededBy])).toEqual([
      [eventId, 'leaver', null],
      [`${eventId}-2`, 'rehire', eventId],
      [`${eventId}-early`, 'joiner', null],
    ]);
  });
});
