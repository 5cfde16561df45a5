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
