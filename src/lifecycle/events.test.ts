import { describe, expect, it } from 'vitest';
import { checkEvent } from './events';

const good = { eventId: 'e1', type: 'leaver', person: { employeeId: '4711' }, effectiveAt: '2026-12-01T18:00:00+01:00' };

describe('checkEvent', () => {
  it('accepts an event and normalises its time to UTC', () => {
    expect(checkEvent(good)).toEqual({ ok: true, event: { ...good, effectiveAt: '2026-12-01T17:00:00.000Z' } });
  });

  it.each([
    [{ ...good, type: 'promotion' }, 'type', 'type must be one of joiner, mover, leaver, rehire'],
    [{ ...good, person: {} }, 'person', 'at least one of objectId and employeeId is required'],
    [{ ...good, person: undefined }, 'person', 'person is required'],
    [{ ...good, person: { objectId: '' } }, 'person.objectId', 'objectId must not be empty (leave it out instead)'],
    [{ ...good, effectiveAt: '2026-12-01' }, 'effectiveAt', 'effectiveAt must be an ISO 8601 date-time with a zone'],
    [{ ...good, effectiveAt: '2026-12-01T10:00:00' }, 'effectiveAt', 'effectiveAt must be an ISO 8601 date-time with a zone'],
    [{ ...good, eventId: '  ' }, 'eventId', 'eventId is required'],
  ])('rejects %j naming %s', (raw, field, message) => {
    const checked = checkEvent(raw);
    expect(checked).toMatchObject({ ok: false, error: { field, message } });
  });

  it('keeps the eventId of a rejected event when it has one', () => {
    expect(checkEvent({ ...good, type: 'x' })).toMatchObject({ ok: false, eventId: 'e1' });
    expect(checkEvent({ type: 'x' })).not.toHaveProperty('eventId');
    expect(checkEvent('not an object')).toMatchObject({ ok: false, error: { field: '(event)' } });
  });
});

describe('checkEvent: every problem', () => {
  it('reports every problem of an event, the first one as its error', () => {
    const checked = checkEvent({
      eventId: 'e1',
      type: 'x',
      person: { objectId: 'jdoe', name: 'Ada' },
      effectiveAt: '2026-12-01',
      extra: 1,
    });
    expect(checked).toEqual({
      ok: false,
      eventId: 'e1',
      error: { field: 'type', message: 'type must be one of joiner, mover, leaver, rehire' },
      errors: [
        { field: 'type', message: 'type must be one of joiner, mover, leaver, rehire' },
        { field: 'person.objectId', message: 'objectId must be an Entra object id (a GUID)' },
        { field: 'person.name', message: 'unknown field' },
        { field: 'effectiveAt', message: 'effectiveAt must be an ISO 8601 date-time with a zone' },
        { field: 'extra', message: 'unknown field' },
      ],
    });
  });

  it.each([
    [{ ...good, person: { objectId: '9D1B6F0E-7C1A-4A52-9A43-7D8F1F0C2B11' } }, true],
    [{ ...good, person: { objectId: 'jdoe' } }, false],
    [{ ...good, eventId: 'e\u0000' }, false],
    [{ ...good, person: { employeeId: '4711\u0000' } }, false],
    [{ ...good, effectiveAt: '0000-06-01T00:00:00Z' }, false],
    [{ ...good, effectiveAt: '0001-01-01T00:00:00Z' }, true],
  ])('takes only GUID object ids, ids without NUL and times from year 1: %j', (raw, ok) => {
    expect(checkEvent(raw).ok).toBe(ok);
  });

  it('keeps no eventId the store could not hold', () => {
    expect(checkEvent({ ...good, eventId: 'e\u0000', type: 'x' })).not.toHaveProperty('eventId');
  });
});
